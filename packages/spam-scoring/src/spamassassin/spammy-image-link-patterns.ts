/**
 * JH_SPAMMY_PATTERN01 and JH_SPAMMY_PATTERN02 (72_active.cf): a ratware's image and its links
 * that name the same URL with one letter changed (`.../Cname.jpg` then `.../Uname.jpg`;
 * `x.php?t=o&id` then `t=c&id` and `t=u&id`), in the raw body. Backreferences RE2 cannot run;
 * matched by hand, keyed by the exact Perl sources for HAND_WRITTEN_PATTERNS and checked
 * against Perl in test/spammy-image-link-patterns.test.ts.
 *
 * Under /ism, so on ASCII lower case and `.` taking newlines. In both the first tag fixes its
 * captures up to a few choices (each part is a run that stops at the first character outside
 * it: the `/` before `C`, the `.php?t=o&` in the URL's last 60 characters), and every later
 * part must start within 200 characters. The later tags (`<img src="`, `<a href="`) are kept
 * in order; each candidate is compared by hashes (SubstringHash) in constant time, so a first
 * tag costs at most a few hundred steps: time linear in the text.
 */
import type { HandWrittenPattern } from './hand-written-patterns.js';
import { isPerlSpace, asciiLowerCase } from './octet-text.js';
import { SubstringHash } from './substring-hash.js';
import { lowerBound } from './sorted-places.js';

/** `.{0,200}` between the parts. */
const MAX_GAP = 200;
/** `[^'"]{1,80}` and `[^"'\s]{1,80}`: the URL between the scheme and the last part. */
const MAX_URL = 80;
/** `[^/.]{1,30}`: the image name after `C`. */
const MAX_IMAGE_NAME = 30;
/** `[^"'\s]{1,50}`: the id after `&`. */
const MAX_ID = 50;

const isQuote = (c: string | undefined) => c === '"' || c === "'";

/** Every place `needle` starts in `text`, in order. */
function placesOf(text: string, needle: string): number[] {
  const places: number[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) places.push(at);
  return places;
}

/** The places of `sorted` from `first` to `last`. */
function* within(sorted: readonly number[], first: number, last: number): Generator<number> {
  for (let i = lowerBound(sorted, first); i < sorted.length && sorted[i]! <= last; i++)
    yield sorted[i]!;
}

/** `https?://` at `at`: where it ends, or -1. */
function schemeEnd(text: string, at: number): number {
  if (!text.startsWith('http', at)) return -1;
  const colon = text[at + 4] === 's' ? at + 5 : at + 4;
  return text.startsWith('://', colon) ? colon + 3 : -1;
}

/**
 * JH_SPAMMY_PATTERN01: `<img src=['"](https?://[^'"]{1,80}/)C([^/.]{1,30}\.jpg)['"]>`, then
 * within 200 `<img src="\1U\2"`. The second capture runs from after `C` to the first `.` or
 * `/` (which must be the `.` of `.jpg`), so each `/` is one choice for the first.
 */
const cThenUImage: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  const images = placesOf(lower, '<img src=');
  const quotedImages = images.filter((at) => lower[at + 9] === '"');
  if (images.length < 2 || quotedImages.length === 0) return false;
  // Built only when a candidate gets that far (most mails' images never do).
  let hash: SubstringHash | null = null;
  for (const image of images) {
    if (!isQuote(lower[image + 9])) continue;
    const url = image + 10;
    const path = schemeEnd(lower, url);
    if (path < 0) continue;
    for (let slash = path + 1; slash <= path + MAX_URL && slash < lower.length; slash++) {
      if (isQuote(lower[slash - 1])) break;
      if (lower[slash] !== '/' || lower[slash + 1] !== 'c') continue;
      const name = slash + 2;
      let dot = name;
      while (
        dot <= name + MAX_IMAGE_NAME &&
        dot < lower.length &&
        lower[dot] !== '.' &&
        lower[dot] !== '/'
      )
        dot++;
      if (dot === name || dot - name > MAX_IMAGE_NAME || !lower.startsWith('.jpg', dot)) continue;
      if (!isQuote(lower[dot + 4]) || lower[dot + 5] !== '>') continue;
      const first = slash + 1 - url;
      const second = dot + 4 - name;
      for (const next of within(quotedImages, dot + 6, dot + 6 + MAX_GAP)) {
        const copy = next + 10;
        if (
          lower[copy + first] === 'u' &&
          lower[copy + first + 1 + second] === '"' &&
          (hash ??= new SubstringHash(lower)).equal(url, copy, first) &&
          hash.equal(name, copy + first + 1, second)
        )
          return true;
      }
    }
  }
  return false;
};

/**
 * JH_SPAMMY_PATTERN02: `<img [^>]{0,50}src=['"](https?://[^"'\s]{1,80}\.php\?)t=o(\&[^"'\s]{1,50})["'][>\s]`,
 * then within 200 `<a href="\1t=c\2"`, then within 200 `<a href="\1t=u\2"`. The URL is a run
 * that a quote must end (the second capture's end); the first capture ends at any
 * `.php?t=o&` within its reach. The second links that match are kept in order, the third
 * ones too, and one pass over both finds a pair 200 apart at most.
 */
const openClickUnsubscribe: HandWrittenPattern = (text: string) => {
  const lower = asciiLowerCase(text);
  const links = placesOf(lower, '<a href="');
  if (links.length < 2) return false;
  // Built only when a candidate gets that far (most mails' links never do).
  let hash: SubstringHash | null = null;
  for (const image of placesOf(lower, '<img ')) {
    for (let src = image + 5; src <= image + 5 + 50 && src < lower.length; src++) {
      if (lower[src - 1] === '>' && src > image + 5) break;
      if (!lower.startsWith('src=', src) || !isQuote(lower[src + 4])) continue;
      const url = src + 5;
      const path = schemeEnd(lower, url);
      if (path < 0) continue;
      // The URL's run must end within its longest: the first capture, `t=o`, the second.
      const longest = path + MAX_URL + '.php?t=o&'.length + MAX_ID;
      let end = path;
      while (
        end <= longest &&
        end < lower.length &&
        !isQuote(lower[end]) &&
        !isPerlSpace(lower[end])
      )
        end++;
      if (!isQuote(lower[end]) || !(lower[end + 1] === '>' || isPerlSpace(lower[end + 1])))
        continue;
      const firstPlace = Math.max(path + 1, end - 9 - MAX_ID);
      for (let php = firstPlace; php <= path + MAX_URL && php + 9 < end; php++) {
        if (!lower.startsWith('.php?t=o&', php)) continue;
        const first = php + 5 - url;
        const id = php + 8;
        const second = end - id;
        const length = 9 + first + 3 + second + 1;
        const linkTo = (link: number, letter: string) =>
          lower.startsWith(`t=${letter}`, link + 9 + first) &&
          lower[link + length - 1] === '"' &&
          (hash ??= new SubstringHash(lower)).equal(url, link + 9, first) &&
          hash.equal(id, link + 9 + first + 3, second);
        const clicks = [...within(links, end + 2, end + 2 + MAX_GAP)].filter((link) =>
          linkTo(link, 'c'),
        );
        if (clicks.length === 0) continue;
        const unsubscribes = within(links, clicks[0]! + length, clicks.at(-1)! + length + MAX_GAP);
        let click = 0;
        for (const unsubscribe of unsubscribes) {
          if (!linkTo(unsubscribe, 'u')) continue;
          // The latest click that ends before this link: the closest one.
          while (click + 1 < clicks.length && clicks[click + 1]! + length <= unsubscribe) click++;
          const gap = unsubscribe - (clicks[click]! + length);
          if (gap >= 0 && gap <= MAX_GAP) return true;
        }
      }
    }
  }
  return false;
};

/** The rules' Perl sources (flags as an inline group), each with its matcher. */
export const SPAMMY_IMAGE_LINK_PATTERNS: readonly (readonly [string, HandWrittenPattern])[] = [
  [
    // JH_SPAMMY_PATTERN01
    '(?ism)<img src=[\'"](https?://[^\'"]{1,80}/)C([^/.]{1,30}\\.jpg)[\'"]>.{0,200}<img src="\\1U\\2"',
    cThenUImage,
  ],
  [
    // JH_SPAMMY_PATTERN02
    '(?ism)<img [^>]{0,50}src=[\'"](https?://[^"\'\\s]{1,80}\\.php\\?)t=o(\\&[^"\'\\s]{1,50})["\'][>\\s].{0,200}<a href="\\1t=c\\2".{0,200}<a href="\\1t=u\\2"',
    openClickUnsubscribe,
  ],
];
