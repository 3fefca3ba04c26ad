import { type MailboxAddress, parseAddressList } from '@mailyard/mime';

/**
 * An address as Sieve tests see it: a local part and a domain. `address :all` compares
 * `localPart@domain`; the null envelope sender `<>` has an empty local part and no domain.
 */
export interface SieveAddress {
  readonly localPart: string;
  /** null when the address has none (a bare local part, or `<>`). */
  readonly domain: string | null;
  /**
   * Set for a header value that holds no valid address at all (`From: undisclosed-recipients:;`,
   * `To: bob`): the value as written, which only `:all` compares (RFC 5228 section 2.7.4: an
   * address that is not valid is not matched by `:localpart` or `:domain`). Address parts of
   * extensions must return null for it too.
   */
  readonly invalid?: string;
}

/** `local@domain` as `address :all` and `envelope :all` compare it. */
export function addressText(address: SieveAddress): string {
  if (address.invalid !== undefined) return address.invalid;
  return address.domain === null ? address.localPart : `${address.localPart}@${address.domain}`;
}

function isValidMailbox(entry: MailboxAddress): boolean {
  return (
    entry.defects === undefined &&
    entry.localPart !== '' &&
    entry.domain !== null &&
    entry.domain !== ''
  );
}

/**
 * The addresses of an address header's value, group members included, in order. Entries that are
 * not valid addresses are left out; a value with no valid address at all is one invalid address
 * holding the value as written. This is what Pigeonhole does, and the differential test holds us
 * to it.
 */
export function headerAddresses(value: string): SieveAddress[] {
  const addresses: SieveAddress[] = [];
  for (const entry of parseAddressList(value)) {
    const mailboxes = entry.type === 'mailbox' ? [entry] : entry.members;
    for (const mailbox of mailboxes) {
      if (isValidMailbox(mailbox))
        addresses.push({ localPart: mailbox.localPart, domain: mailbox.domain });
    }
  }
  const text = value.trim();
  if (addresses.length === 0 && text !== '')
    addresses.push({ localPart: '', domain: null, invalid: text });
  return addresses;
}

/**
 * An envelope path as given by SMTP (`user@example.com`, with or without angle brackets), split
 * at its last `@`. The empty path is the null sender.
 */
export function envelopeAddress(path: string): SieveAddress {
  let text = path.trim();
  if (text.startsWith('<') && text.endsWith('>')) text = text.slice(1, -1);
  const at = text.lastIndexOf('@');
  if (at < 0) return { localPart: text, domain: null };
  return { localPart: text.slice(0, at), domain: text.slice(at + 1) };
}

/**
 * Whether a string is one plain address (`local@domain`, no display name, no list): what
 * `redirect` accepts (RFC 5228 section 4.2).
 */
export function isPlainAddress(text: string): boolean {
  if (!text.includes('@') || /[\s<>,;]/.test(text.trim()) || text.trim() !== text) return false;
  const entries = parseAddressList(text);
  const only = entries[0];
  return (
    entries.length === 1 &&
    only !== undefined &&
    only.type === 'mailbox' &&
    only.defects === undefined &&
    only.localPart !== '' &&
    only.domain !== null &&
    only.domain !== '' &&
    only.name === null
  );
}
