import { type MimePart, decodeTransferEncoding, isMultipart, mediaType } from '@mailyard/mime';
import type { SaRuleKind } from './cf-parser.js';
import type { SaEvalTest } from './eval-tests.js';
import type { SaMessageView } from './message-view.js';

/**
 * The ImageInfo plugin's tests: how many GIF, PNG and JPEG attachments a message has, and the
 * pixels they cover, read from each image's own header as ImageInfo.pm reads it (only base64
 * parts of type image/gif, image/png, image/jpeg or image/jpg). Spam that is one picture of
 * text and hardly any words is what these find.
 */

/**
 * The octets of each image decoded and read, at most: GIF's size is in its first 13, PNG's in
 * its first chunk, JPEG's in the frame header after the application segments (EXIF, ICC
 * profiles: each at most 64 KiB). ImageInfo.pm decodes the whole part; an image whose size is
 * further in is counted with no size (as one whose header it cannot read).
 */
export const IMAGE_SCAN_SIZE = 262_144;

const IMAGE_TYPES = ['gif', 'png', 'jpeg'] as const;
type ImageType = (typeof IMAGE_TYPES)[number];
type ImageClass = ImageType | 'all';

interface ImageInfo {
  /** Images by type, including those whose size could not be read. */
  readonly count: Record<ImageClass, number>;
  /** Pixels covered, by type. */
  readonly area: Record<ImageClass, number>;
  /** The sizes seen, `${height}x${width}`, by type. */
  readonly sizes: Record<ImageClass, Set<string>>;
  /** The file names of the images whose size was read. */
  readonly names: Set<string>;
}

/** Big-endian and little-endian readers that give undefined past the end, as Perl's unpack. */
const u8 = (data: Uint8Array, at: number) => data[at];
const be16 = (data: Uint8Array, at: number) =>
  at + 2 <= data.length ? (data[at]! << 8) | data[at + 1]! : undefined;
const be32 = (data: Uint8Array, at: number) =>
  at + 4 <= data.length
    ? ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0
    : undefined;
const le16 = (data: Uint8Array, at: number) =>
  at + 2 <= data.length ? data[at]! | (data[at + 1]! << 8) : 0;

/** `GIF87a` or `GIF89a`, then the logical screen's width and height (little-endian). */
function gifSize(data: Uint8Array): [number, number] | null {
  const signature = String.fromCharCode(...data.subarray(0, 6));
  if (signature !== 'GIF87a' && signature !== 'GIF89a') return null;
  return [le16(data, 6), le16(data, 8)];
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The IHDR chunk's width and height. ImageInfo.pm steps 8 octets at a time (a chunk's length
 * and type) and does not skip a chunk's data; kept, so an IHDR is found where it finds one.
 */
function pngSize(data: Uint8Array): [number, number] | null {
  if (!PNG_SIGNATURE.every((octet, i) => data[i] === octet)) return null;
  for (let at = 8; at < data.length; at += 8) {
    const length = be32(data, at);
    const type = String.fromCharCode(...data.subarray(at + 4, at + 8));
    if (type === 'IEND') break;
    if (type === 'IHDR' && length === 13)
      return [be32(data, at + 8) ?? 0, be32(data, at + 12) ?? 0];
  }
  return null;
}

/** The first frame header's (SOF0-3, 5-7, 9-11, 13-15) height and width, segment by segment. */
function jpegSize(data: Uint8Array): [number, number] | null {
  if (data[0] !== 0xff || data[1] !== 0xd8) return null;
  let at = 2;
  for (;;) {
    const marker = u8(data, at + 1);
    const length = be16(data, at + 2);
    if (u8(data, at) !== 0xff || marker === undefined || marker === 0xda || marker === 0xd9)
      return null;
    if (length === undefined || length < 2) return null;
    at += 4;
    const frame =
      (marker >= 0xc0 && marker <= 0xc3) ||
      (marker >= 0xc5 && marker <= 0xc7) ||
      (marker >= 0xc9 && marker <= 0xcb) ||
      (marker >= 0xcd && marker <= 0xcf);
    if (frame) return [be16(data, at + 3) ?? 0, be16(data, at + 1) ?? 0];
    at += Math.min(length - 2, Math.max(0, data.length - at));
  }
}

/** [width, height] by type; null when the header is not one (the image still counts). */
const SIZE_OF: Readonly<Record<ImageType, (data: Uint8Array) => [number, number] | null>> = {
  gif: gifSize,
  png: pngSize,
  jpeg: jpegSize,
};

function* leavesOf(part: MimePart): Generator<MimePart> {
  if (isMultipart(part)) for (const child of part.parts) yield* leavesOf(child);
  else if (part.message) yield* leavesOf(part.message.body);
  else yield part;
}

/** The part's file name: Content-Type's `name`, else Content-Disposition's `filename`. */
function nameOf(part: MimePart): string | undefined {
  const parameter = (list: readonly { name: string; value: string }[], name: string) =>
    list.find((p) => p.name.toLowerCase() === name)?.value;
  return (
    parameter(part.contentType.parameters, 'name') ??
    (part.disposition ? parameter(part.disposition.parameters, 'filename') : undefined)
  );
}

/** At most `limit` octets of a base64 body, decoded from just enough of its text. */
function decodedPrefix(body: Uint8Array, limit: number): Uint8Array {
  // Four characters make three octets; lines of 76 characters and their breaks take a little
  // more: twice the limit in encoded octets holds it, and no more is decoded.
  const decoded = decodeTransferEncoding(body.subarray(0, limit * 2), 'base64');
  return decoded.subarray(0, limit);
}

const infos = new WeakMap<object, ImageInfo>();

function imageInfoOf(view: SaMessageView): ImageInfo {
  const known = infos.get(view.contentKey);
  if (known) return known;
  const zero = () => ({ gif: 0, png: 0, jpeg: 0, all: 0 });
  const info: ImageInfo = {
    count: zero(),
    area: zero(),
    sizes: { gif: new Set(), png: new Set(), jpeg: new Set(), all: new Set() },
    names: new Set(),
  };
  for (const part of leavesOf(view.summary.body)) {
    const match = /^image\/(gif|png|jpe?g)$/.exec(mediaType(part));
    if (!match || (part.encoding ?? '').trim().toLowerCase() !== 'base64') continue;
    const type: ImageType = match[1] === 'jpg' ? 'jpeg' : (match[1] as ImageType);
    info.count[type]++;
    info.count.all++;
    const body = view.bytes.subarray(part.bodyStart, part.end);
    const size = SIZE_OF[type](decodedPrefix(body, type === 'gif' ? 13 : IMAGE_SCAN_SIZE));
    if (!size || !size[0] || !size[1]) continue;
    const [width, height] = size;
    info.area[type] += width * height;
    info.area.all += width * height;
    info.sizes[type].add(`${height}x${width}`);
    info.sizes.all.add(`${height}x${width}`);
    const name = nameOf(part);
    if (name) info.names.add(name);
  }
  infos.set(view.contentKey, info);
  return info;
}

const isClass = (type: string | undefined): type is ImageClass =>
  type === 'all' || (IMAGE_TYPES as readonly string[]).includes(type ?? '');

/** ImageInfo.pm's result_check: min <= value <= max (no max: no bound; `exclusive`: < max). */
function inRange(value: number, min: number, max: number | undefined, exclusive = false) {
  return value >= min && (max === undefined || (exclusive ? value < max : value <= max));
}

/** Reads `min` and an optional `max`; null when they are not numbers. */
function bounds(args: readonly string[], from: number): [number, number | undefined] | null {
  const min = Number(args[from]);
  const max = args[from + 1] === undefined ? undefined : Number(args[from + 1]);
  return Number.isFinite(min) && (max === undefined || Number.isFinite(max)) ? [min, max] : null;
}

/** `image_count(type, min[, max])`: how many images of the type (or 'all'). */
export function imageCount(args: readonly string[]): SaEvalTest | null {
  const type = args[0];
  const range = bounds(args, 1);
  if (!isClass(type) || !range) return null;
  return (view) => (inRange(imageInfoOf(view).count[type], ...range) ? 1 : 0);
}

/** `pixel_coverage(type, min[, max])`: the pixels the images of the type cover. */
export function pixelCoverage(args: readonly string[]): SaEvalTest | null {
  const type = args[0];
  const range = bounds(args, 1);
  if (!isClass(type) || !range) return null;
  return (view) => (inRange(imageInfoOf(view).area[type], ...range) ? 1 : 0);
}

/**
 * `image_to_text_ratio(type, min, max)`: the text's length per pixel of image, in [min, max).
 * The text is the rule's: a body rule's rendered lines (the Subject first), a rawbody rule's
 * decoded ones, each with its line break (the body's lines are Message.pm's).
 */
export function imageToTextRatio(
  args: readonly string[],
  kind: SaRuleKind | undefined,
): SaEvalTest | null {
  const type = args[0];
  const range = bounds(args, 1);
  if (!isClass(type) || !range || range[1] === undefined) return null;
  if (kind !== 'body' && kind !== 'rawbody') return null;
  return (view) => {
    const area = imageInfoOf(view).area[type];
    if (area <= 0) return 0;
    const lines = kind === 'body' ? view.body() : view.rawBody();
    let length = 0;
    for (const line of lines) length += line.length;
    return length > 0 && inRange(length / area, range[0], range[1], true) ? 1 : 0;
  };
}

/** `image_size_exact(type, height, width)`: an image of the type of that size. */
export function imageSizeExact(args: readonly string[]): SaEvalTest | null {
  const [type, height, width] = args;
  if (!isClass(type) || !/^\d+$/.test(height ?? '') || !/^\d+$/.test(width ?? '')) return null;
  const size = `${Number(height)}x${Number(width)}`;
  return (view) => (imageInfoOf(view).sizes[type].has(size) ? 1 : 0);
}

/** `image_size_range(type, minh, minw[, maxh[, maxw]])`: an image of the type within. */
export function imageSizeRange(args: readonly string[]): SaEvalTest | null {
  const type = args[0];
  const [minHeight, minWidth, maxHeight, maxWidth] = args.slice(1).map(Number);
  if (!isClass(type) || !Number.isFinite(minHeight) || !Number.isFinite(minWidth)) return null;
  return (view) => {
    for (const size of imageInfoOf(view).sizes[type]) {
      const [height, width] = size.split('x').map(Number) as [number, number];
      if (height < minHeight! || width < minWidth!) continue;
      if (maxHeight !== undefined && height > maxHeight) continue;
      if (maxWidth !== undefined && width > maxWidth) continue;
      return 1;
    }
    return 0;
  };
}

/** `image_named(name)`: an image whose size was read has that file name. */
export function imageNamed(args: readonly string[]): SaEvalTest | null {
  const name = args[0];
  if (name === undefined) return null;
  return (view) => (imageInfoOf(view).names.has(name) ? 1 : 0);
}
