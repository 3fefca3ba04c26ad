/**
 * Response codes (RFC 5804 1.3). `QUOTA/MAXSCRIPTS` and `QUOTA/MAXSIZE` say which quota a
 * command hit; plain `QUOTA` is the total storage of the user's scripts.
 */
export type ResponseCode =
  | 'AUTH-TOO-WEAK'
  | 'ENCRYPT-NEEDED'
  | 'QUOTA'
  | 'QUOTA/MAXSCRIPTS'
  | 'QUOTA/MAXSIZE'
  | 'TRANSITION-NEEDED'
  | 'TRYLATER'
  | 'ACTIVE'
  | 'NONEXISTENT'
  | 'ALREADYEXISTS'
  | 'WARNINGS'
  /** Additional data with the success of AUTHENTICATE (SCRAM's server signature), in base64. */
  | { readonly name: 'SASL'; readonly data: string }
  /** NOOP's tag, echoed. */
  | { readonly name: 'TAG'; readonly tag: Uint8Array };

export type ResponseStatus = 'OK' | 'NO' | 'BYE';

/** The largest quoted string (RFC 5804 4: `quoted = <"> *1024QUOTED-CHAR <">`). */
const MAX_QUOTED = 1024;

/**
 * A string as the server sends it: quoted where the grammar allows (no CR, LF or NUL, at most
 * 1024 octets), else a literal `{n}` CRLF and the octets (RFC 5804 4, literal-s2c).
 */
export function encodeString(value: string | Uint8Array): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  if (
    bytes.length <= MAX_QUOTED &&
    !bytes.includes(0x0d) &&
    !bytes.includes(0x0a) &&
    !bytes.includes(0)
  ) {
    const escaped: number[] = [0x22];
    for (const c of bytes) {
      if (c === 0x22 || c === 0x5c) escaped.push(0x5c);
      escaped.push(c);
    }
    escaped.push(0x22);
    return Buffer.from(escaped);
  }
  return Buffer.concat([Buffer.from(`{${bytes.length}}\r\n`), bytes]);
}

function encodeCode(code: ResponseCode): Buffer {
  if (typeof code === 'string') return Buffer.from(`(${code})`);
  if (code.name === 'SASL')
    return Buffer.concat([Buffer.from('(SASL '), encodeString(code.data), Buffer.from(')')]);
  return Buffer.concat([Buffer.from('(TAG '), encodeString(code.tag), Buffer.from(')')]);
}

/** `OK`, `NO` or `BYE`, with a response code and a human-readable text when given. */
export function response(status: ResponseStatus, text?: string, code?: ResponseCode): Buffer {
  const parts: Buffer[] = [Buffer.from(status)];
  if (code !== undefined) parts.push(Buffer.from(' '), encodeCode(code));
  if (text !== undefined) parts.push(Buffer.from(' '), encodeString(text));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** One capability (RFC 5804 1.7): its name, and its value when it has one. */
export interface Capability {
  readonly name: string;
  readonly value?: string;
}

/** The capability lines (greeting, CAPABILITY, after STARTTLS), then the `OK`. */
export function capabilityResponse(capabilities: readonly Capability[], text: string): Buffer {
  const lines = capabilities.map((capability) =>
    capability.value === undefined
      ? encodeString(capability.name)
      : Buffer.concat([
          encodeString(capability.name),
          Buffer.from(' '),
          encodeString(capability.value),
        ]),
  );
  return Buffer.concat([
    ...lines.flatMap((line) => [line, Buffer.from('\r\n')]),
    response('OK', text),
  ]);
}

/** LISTSCRIPTS: a line per script, `ACTIVE` after the active one (RFC 5804 2.7), then `OK`. */
export function scriptListResponse(
  scripts: readonly { readonly name: string; readonly active: boolean }[],
  text: string,
): Buffer {
  const lines = scripts.map((script) =>
    Buffer.concat([encodeString(script.name), Buffer.from(script.active ? ' ACTIVE\r\n' : '\r\n')]),
  );
  return Buffer.concat([...lines, response('OK', text)]);
}

/** GETSCRIPT: the script as a literal (RFC 5804 2.9), then `OK`. */
export function scriptResponse(content: Uint8Array, text: string): Buffer {
  return Buffer.concat([
    Buffer.from(`{${content.length}}\r\n`),
    content,
    Buffer.from('\r\n'),
    response('OK', text),
  ]);
}

/** A SASL challenge (RFC 5804 2.1): a string alone on its line, which the client answers. */
export function challengeLine(challenge: string): Buffer {
  return Buffer.concat([encodeString(challenge), Buffer.from('\r\n')]);
}
