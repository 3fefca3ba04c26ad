/**
 * The domain of an envelope address, lower-cased, as relay control compares it: the part after
 * the `@` that ends the local part (quoted local parts may hold `@`). `postmaster` without a
 * domain is ours by definition (RFC 5321 4.1.1.3), so it has none; an address literal
 * (`[192.0.2.1]`) is returned as is and is never a local domain.
 */
export function addressDomain(address: string): string | null {
  const at = address.lastIndexOf('@');
  return at < 0 ? null : address.slice(at + 1).toLowerCase();
}
