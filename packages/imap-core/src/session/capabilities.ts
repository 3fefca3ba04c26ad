/** What the capability list depends on. */
export interface CapabilityContext {
  readonly authenticated: boolean;
  readonly secure: boolean;
  readonly tlsAvailable: boolean;
  readonly compressionAvailable: boolean;
  readonly compressed: boolean;
  /** LOGIN and plaintext SASL allowed without TLS. */
  readonly plaintextAllowed: boolean;
  /** SASL mechanisms on offer on this connection. */
  readonly mechanisms: readonly string[];
  readonly literalMinus: boolean;
  readonly appendLimit: number;
  readonly quotaSettable: boolean;
}

/**
 * The extensions of an authenticated session, in the order they are advertised. Everything
 * here is implemented in both dialects; `ENABLE IMAP4rev2` switches the dialect, the list stays.
 */
const AUTHENTICATED_EXTENSIONS = [
  'ID',
  'ENABLE',
  'IDLE',
  'NAMESPACE',
  'UNSELECT',
  'UIDPLUS',
  'MOVE',
  'CHILDREN',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'SPECIAL-USE',
  'CREATE-SPECIAL-USE',
  'STATUS=SIZE',
  'MULTIAPPEND',
  'BINARY',
  'ESEARCH',
  'SEARCHRES',
  'WITHIN',
  'CONDSTORE',
  'QRESYNC',
  'SORT',
  'ESORT',
  'THREAD=ORDEREDSUBJECT',
  'THREAD=REFERENCES',
  'QUOTA',
  'QUOTA=RES-STORAGE',
  'QUOTA=RES-MESSAGE',
  'ACL',
  'RIGHTS=texk',
  'OBJECTID',
  'SAVEDATE',
  'UTF8=ACCEPT',
  'UNAUTHENTICATE',
];

/**
 * The CAPABILITY list for a connection in its present state (RFC 9051 7.2.2): before login the
 * base, STARTTLS and what authentication is possible (LOGINDISABLED where plaintext is refused);
 * after it, every extension.
 */
export function capabilities(context: CapabilityContext): string[] {
  const list = ['IMAP4rev1', 'IMAP4rev2', context.literalMinus ? 'LITERAL-' : 'LITERAL+'];
  if (!context.authenticated) {
    list.push('SASL-IR', 'ID', 'ENABLE', 'IDLE');
    if (context.tlsAvailable && !context.secure) list.push('STARTTLS');
    if (!context.secure && !context.plaintextAllowed) list.push('LOGINDISABLED');
    for (const mechanism of context.mechanisms) list.push(`AUTH=${mechanism}`);
    return list;
  }
  list.push(...AUTHENTICATED_EXTENSIONS);
  list.push(`APPENDLIMIT=${context.appendLimit}`);
  if (context.quotaSettable) list.push('QUOTASET');
  if (context.compressionAvailable && !context.compressed) list.push('COMPRESS=DEFLATE');
  return list;
}

/** What ENABLE can switch on (RFC 5161), by upper-cased name. */
export const ENABLEABLE = new Map([
  ['IMAP4REV2', 'IMAP4rev2'],
  ['CONDSTORE', 'CONDSTORE'],
  ['QRESYNC', 'QRESYNC'],
  ['UTF8=ACCEPT', 'UTF8=ACCEPT'],
]);
