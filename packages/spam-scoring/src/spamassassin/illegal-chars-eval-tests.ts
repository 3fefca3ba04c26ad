import type { SaMessageView } from './message-view.js';
import { rawHeaderBlockOf } from './raw-header-block.js';

/**
 * HeaderEval's `check_illegal_chars(header, ratio, count)` (FROM_ILLEGAL_CHARS,
 * __SUBJ_ILLEGAL_CHARS under SUBJ_ILLEGAL_CHARS, __HEAD_ILLEGAL_CHARS): a raw header holding
 * octets RFC 2045 does not allow there (C0 controls but tab, LF and CR; DEL and the 8-bit
 * octets), at least `count` of them and `ratio` of its length. A value that is valid UTF-8
 * without controls is allowed (RFC 6532). The Subject may hold one cent, pound or registered
 * sign. Perl counts octets: the raw value as Message.pm keeps it (raw-header-block.ts), the
 * space after the colon and the line end included in its length.
 */
export function checkIllegalChars(
  args: readonly string[],
): ((view: SaMessageView) => number) | null {
  const [name, ratioText, countText] = args;
  if (name === undefined || ratioText === undefined || countText === undefined) return null;
  const ratio = Number(ratioText);
  const count = Number(countText);
  if (!Number.isFinite(ratio) || !Number.isFinite(count)) return null;
  const header = name.replace(/:raw$/, '');
  const isSubject = header.toLowerCase() === 'subject';
  return (view) => {
    const block = rawHeaderBlockOf(view);
    const text = header === 'ALL' ? block.pristine : block.rawValues(header.toLowerCase()).join('');
    return illegalShare(text, isSubject, ratio, count) ? 1 : 0;
  };
}

const NON_ASCII = /[\x80-\xff]/;
const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;
const NOT_PERL_SPACE = /[^ \t\n\x0b\x0c\r]/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function illegalShare(text: string, isSubject: boolean, ratio: number, count: number): boolean {
  if (!NOT_PERL_SPACE.test(text)) return false;
  if (NON_ASCII.test(text) && isValidUtf8(text) && !CONTROL.test(text)) return false;
  let illegal = 0;
  let exempt = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (
      code <= 0x08 ||
      code === 0x0b ||
      code === 0x0c ||
      (code >= 0x0e && code <= 0x1f) ||
      code >= 0x7f
    )
      illegal++;
    if (code === 0xa2 || code === 0xa3 || code === 0xae) exempt++;
  }
  if (illegal > 0 && isSubject && exempt === 1) illegal--;
  return illegal / text.length >= ratio && illegal >= count;
}

/** Util.pm's is_valid_utf_8: RFC 3629's UTF-8 (no overlong forms, no surrogates), octet by octet. */
function isValidUtf8(text: string): boolean {
  try {
    strictUtf8.decode(Buffer.from(text, 'latin1'));
    return true;
  } catch {
    return false;
  }
}
