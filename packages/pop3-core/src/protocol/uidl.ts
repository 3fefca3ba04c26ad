/**
 * The unique-id listing of a message (RFC 1939 7, UIDL): `<UIDVALIDITY>.<UID>` in decimal, for
 * example `1733011200.42`. A store never gives a UID twice under one UIDVALIDITY, and a mailbox
 * that is re-created gets a new UIDVALIDITY, so the value is stable across sessions and unique
 * for the life of the mailbox, as RFC 1939 asks. At most 21 characters, all digits and `.`,
 * inside the 0x21-0x7E range and the 70 octets RFC 1939 allows.
 */
export function formatUidl(uidValidity: number, uid: number): string {
  return `${uidValidity}.${uid}`;
}

/** Whether a server's unique-id is one RFC 1939 allows: 1 to 70 characters in 0x21-0x7E. */
export function isValidUidl(value: string): boolean {
  return /^[\x21-\x7e]{1,70}$/.test(value);
}
