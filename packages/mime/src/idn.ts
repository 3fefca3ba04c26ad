import punycode from 'punycode/punycode.js';

/**
 * Internationalised domain names (RFC 5890): the A-label form SMTP and DNS need, and the U-label
 * form people read. Both work label by label and never throw: a domain literal (`[1.2.3.4]`)
 * and any label that cannot be converted stay as written.
 *
 * The mapping before encoding is the simple part of UTS #46 (NFC, lower case, the ideographic
 * and fullwidth full stops as dots); it covers what mail user agents send, not the whole table.
 */

/** Label separators UTS #46 maps to `.`: full stop, ideographic, fullwidth and halfwidth ones. */
const LABEL_SEPARATOR = /[.\u3002\uFF0E\uFF61]/;

/** DNS limit on the length of one label, in octets (RFC 1035 section 2.3.4). */
const MAX_LABEL_LENGTH = 63;

/** `münchen.example` → `xn--mnchen-3ya.example`. */
export function domainToAscii(domain: string): string {
  if (isDomainLiteral(domain)) return domain;
  return domain.split(LABEL_SEPARATOR).map(labelToAscii).join('.');
}

/** `xn--mnchen-3ya.example` → `münchen.example`. */
export function domainToUnicode(domain: string): string {
  if (isDomainLiteral(domain)) return domain;
  return domain.split('.').map(labelToUnicode).join('.');
}

function labelToAscii(label: string): string {
  if (isAscii(label)) return label;
  const mapped = label.normalize('NFC').toLowerCase();
  try {
    const encoded = `xn--${punycode.encode(mapped)}`;
    return encoded.length <= MAX_LABEL_LENGTH ? encoded : label;
  } catch {
    return label;
  }
}

function labelToUnicode(label: string): string {
  if (!/^xn--/i.test(label)) return label;
  try {
    const decoded = punycode.decode(label.slice(4).toLowerCase());
    // An A-label must hold something that needed encoding, and be what encoding it gives back;
    // anything else (`xn--abc-`, `xn--ls8h-`) is not a real IDN and stays as written.
    if (decoded === '' || isAscii(decoded)) return label;
    return punycode.encode(decoded) === label.slice(4).toLowerCase() ? decoded : label;
  } catch {
    return label;
  }
}

function isDomainLiteral(domain: string): boolean {
  return domain.startsWith('[');
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return false;
  return true;
}
