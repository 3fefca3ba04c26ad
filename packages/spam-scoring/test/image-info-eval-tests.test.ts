import { describe, expect, it } from 'vitest';
import { IMAGE_SCAN_SIZE } from '../src/spamassassin/image-info-eval-tests.js';
import { ruleFirer } from './helpers.js';

// Debian's uses of ImageInfo (20_imageinfo.cf, 72_active.cf) and the tests it has that no
// active rule uses, under names of their own.
const fire = ruleFirer(`
body T_ONE_IMG eval:image_count('all',1,1)
body T_GIF_1 eval:image_count('gif','1','1')
body T_PNG_2P eval:image_count('png','2')
body T_JPEG_1 eval:image_count('jpeg',1,1)
body T_GIF_AREA eval:pixel_coverage('gif','180000','475000')
body T_IMG_LE_300K eval:pixel_coverage('all',62500,300000)
body T_TEXT_RATIO eval:image_to_text_ratio('all', '0.000', '0.008')
rawbody T_HTML_RATIO eval:image_to_text_ratio('all', '0.000', '0.015')
body T_SIZE eval:image_size_exact('gif','262','637')
body T_RANGE eval:image_size_range('all', 200, 300, 450, 650)
body T_NAMED eval:image_named('x.gif')
`);

const le16 = (n: number) => [n & 0xff, n >> 8];
const be16 = (n: number) => [n >> 8, n & 0xff];
const be32 = (n: number) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const gif = (width: number, height: number) =>
  Buffer.from([
    ...ascii('GIF89a'),
    ...le16(width),
    ...le16(height),
    0xf7,
    0,
    0,
    ...Array(30).fill(0),
    0x3b,
  ]);
const png = (width: number, height: number) =>
  Buffer.from([
    ...[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    ...be32(13),
    ...ascii('IHDR'),
    ...be32(width),
    ...be32(height),
    ...[8, 2, 0, 0, 0, 0, 0, 0, 0],
    ...be32(0),
    ...ascii('IEND'),
    0,
    0,
    0,
    0,
  ]);
/** A JPEG: JFIF's segment, `padding` octets of EXIF segments (64 KiB each at most), a frame. */
const jpeg = (width: number, height: number, padding = 0) => {
  const segments: Buffer[] = [
    Buffer.from([
      0xff,
      0xd8,
      0xff,
      0xe0,
      ...be16(16),
      ...ascii('JFIF'),
      0,
      1,
      1,
      0,
      0,
      1,
      0,
      1,
      0,
      0,
    ]),
  ];
  for (let left = padding; left > 0; left -= 65_533) {
    const size = Math.min(left, 65_533);
    segments.push(Buffer.from([0xff, 0xe1, ...be16(size + 2)]), Buffer.alloc(size));
  }
  segments.push(
    Buffer.from([0xff, 0xc0, ...be16(17), 8, ...be16(height), ...be16(width), 3]),
    Buffer.from([
      1,
      0x22,
      0,
      2,
      0x11,
      1,
      3,
      0x11,
      1,
      0xff,
      0xda,
      0,
      8,
      ...Array(10).fill(0),
      0xff,
      0xd9,
    ]),
  );
  return Buffer.concat(segments);
};

const attachment = (type: string, data: Buffer, encoding = 'base64', name = 'a') =>
  `--b\nContent-Type: ${type}; name="${name}"\nContent-Transfer-Encoding: ${encoding}\nContent-Disposition: attachment; filename="${name}"\n\n${
    encoding === 'base64'
      ? data.toString('base64').replace(/.{76}/g, '$&\n')
      : data.toString('latin1')
  }\n`;
const withImages = (...attachments: string[]) =>
  fire(
    'From: a@example.com\nTo: b@example.com\nSubject: hello there\nDate: Sun, 6 Dec 2026 10:00:00 +0000\nMessage-ID: <1@example.com>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="b"\n\n' +
      '--b\nContent-Type: text/html\n\n<html><body><p>Look at this</p><img src="cid:x"></body></html>\n' +
      attachments.join('') +
      '--b--\n',
  );

// Every expectation is SpamAssassin 4.0.1's answer: `spamassassin -t -L` over the same messages
// with these rules added and forced to score 1.
describe('ImageInfo: images counted and measured from their own headers', () => {
  it('a GIF: its count, size, area and name', () => {
    expect(withImages(attachment('image/gif', gif(637, 262), 'base64', 'x.gif'))).toEqual([
      'T_GIF_1',
      'T_HTML_RATIO',
      'T_IMG_LE_300K',
      'T_NAMED',
      'T_ONE_IMG',
      'T_RANGE',
      'T_SIZE',
      'T_TEXT_RATIO',
    ]);
  });

  it('two PNGs; a JPEG (and one typed image/jpg, its frame behind 70,000 octets of EXIF)', () => {
    expect(
      withImages(attachment('image/png', png(144, 20)), attachment('image/png', png(156, 20))),
    ).toEqual(['T_HTML_RATIO', 'T_PNG_2P', 'T_TEXT_RATIO']);
    expect(withImages(attachment('image/jpeg', jpeg(575, 797)))).toEqual([
      'T_HTML_RATIO',
      'T_JPEG_1',
      'T_ONE_IMG',
      'T_TEXT_RATIO',
    ]);
    expect(withImages(attachment('image/jpg', jpeg(600, 400, 70_000)))).toEqual([
      'T_HTML_RATIO',
      'T_IMG_LE_300K',
      'T_JPEG_1',
      'T_ONE_IMG',
      'T_RANGE',
      'T_TEXT_RATIO',
    ]);
  });

  it('areas add up by type and over all', () => {
    expect(
      withImages(
        attachment('image/gif', gif(600, 400)),
        attachment('image/png', png(300, 300)),
        attachment('image/jpeg', jpeg(10, 10)),
      ),
    ).toEqual(['T_GIF_1', 'T_GIF_AREA', 'T_HTML_RATIO', 'T_JPEG_1', 'T_RANGE', 'T_TEXT_RATIO']);
  });

  it('an image not in base64 is not read; one whose header is not its type counts, unmeasured', () => {
    expect(withImages(attachment('image/gif', gif(637, 262), '8bit'))).toEqual([]);
    expect(withImages(attachment('image/gif', Buffer.from('not a gif at all')))).toEqual([
      'T_GIF_1',
      'T_ONE_IMG',
    ]);
  });

  it(`reads at most IMAGE_SCAN_SIZE (${IMAGE_SCAN_SIZE}) octets of an image`, () => {
    // A frame behind 10 times the limit of EXIF: counted, not measured (SpamAssassin, which
    // decodes the whole part, would measure it: the documented difference of the limit).
    expect(withImages(attachment('image/jpeg', jpeg(600, 400, 10 * IMAGE_SCAN_SIZE)))).toEqual([
      'T_JPEG_1',
      'T_ONE_IMG',
    ]);
    // A PNG whose IHDR never comes, and a JPEG of empty segments, 10 times the limit long.
    const noHeader = Buffer.concat([png(1, 1).subarray(0, 8), Buffer.alloc(10 * IMAGE_SCAN_SIZE)]);
    const emptySegments = Buffer.concat([
      Buffer.from([0xff, 0xd8]),
      Buffer.alloc(10 * IMAGE_SCAN_SIZE).fill(Buffer.from([0xff, 0xe1, 0, 2])),
    ]);
    expect(
      withImages(attachment('image/png', noHeader), attachment('image/jpeg', emptySegments)),
    ).toEqual(['T_JPEG_1']);
  });
});
