/**
 * SASLprep (RFC 4013), the normalisation SCRAM applies to user names and passwords: non-ASCII
 * spaces become spaces, characters "commonly mapped to nothing" go, the result is NFKC, and
 * strings holding prohibited characters (controls, private use, non-characters, surrogates,
 * display-changing and tagging characters) or breaking the bidirectional rule are refused (null).
 */
// These classes list code points of RFC 3454's tables, combining marks among them, one by one.
/* eslint-disable no-misleading-character-class */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
const MAPPED_TO_NOTHING =
  /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu;
const PROHIBITED =
  /[\p{Cc}\p{Co}\p{Cs}\uFDD0-\uFDEF\uFFFE\uFFFF\u0340\u0341\u200E\u200F\u202A-\u202E\u206A-\u206F\u2FF0-\u2FFB\uFFF9-\uFFFD\u{E0001}\u{E0020}-\u{E007F}\u{1FFFE}\u{1FFFF}\u{10FFFE}\u{10FFFF}]/u;
/* eslint-enable no-misleading-character-class */
// JavaScript has no Bidi_Class property; the right-to-left scripts' letters stand in for
// RandALCat, and letters of any other script for LCat, which is what the rule is about.
const RTL_SCRIPTS =
  '\\p{Script=Hebrew}\\p{Script=Arabic}\\p{Script=Syriac}\\p{Script=Thaana}\\p{Script=Nko}\\p{Script=Samaritan}\\p{Script=Mandaic}';
const RANDALCAT = new RegExp(`[${RTL_SCRIPTS}]`, 'u');
const LCAT = new RegExp(`(?![${RTL_SCRIPTS}])\\p{L}`, 'u');

export function saslPrep(text: string): string | null {
  const prepared = text
    .replace(NON_ASCII_SPACE, ' ')
    .replace(MAPPED_TO_NOTHING, '')
    .normalize('NFKC');
  if (PROHIBITED.test(prepared)) return null;
  // RFC 3454 section 6: right-to-left text must not mix with left-to-right and must start and end RTL.
  if (RANDALCAT.test(prepared)) {
    const chars = [...prepared];
    if (LCAT.test(prepared) || !RANDALCAT.test(chars[0]!) || !RANDALCAT.test(chars.at(-1)!))
      return null;
  }
  return prepared;
}
