import type { LoginRefusal } from './login-guard.js';
import type { SaslSession } from './sasl-session.js';
import { type SaslFailureReason, type SaslIdentity, type SaslStep } from './sasl-result.js';

/** Decoded responses longer than this are refused; OAuth tokens fit comfortably. */
export const DEFAULT_MAX_RESPONSE = 16 * 1024;

/** A step as the protocols carry it: challenges and additional data in base64. */
export type WireStep =
  | { readonly type: 'challenge'; readonly challenge: string }
  | { readonly type: 'success'; readonly identity: SaslIdentity; readonly additionalData?: string }
  | {
      readonly type: 'failure';
      readonly reason: SaslFailureReason;
      readonly message: string;
      readonly authenticationId?: string;
      readonly refusal?: LoginRefusal;
    };

/**
 * The base64 face of a session, as SMTP (RFC 4954), IMAP (RFC 9051, SASL-IR RFC 4959), POP3
 * (RFC 5034) and ManageSieve carry SASL: each client line is base64; `=` as an initial response
 * means an empty one; `*` cancels. Strict about base64, as RFC 4954 asks: anything else is a
 * `malformed` failure, and so is anything longer than `maxResponse` decoded octets.
 */
export class SaslWireSession {
  /** A success whose additional data went out as a last challenge, waiting for the empty answer. */
  private pendingSuccess: Extract<WireStep, { type: 'success' }> | null = null;

  constructor(
    readonly session: SaslSession,
    private readonly maxResponse = DEFAULT_MAX_RESPONSE,
    /**
     * How additional data with success (SCRAM's server signature) reaches the client: as a last
     * challenge answered by an empty line, which every protocol can carry (SMTP and POP3 must,
     * RFC 4954 4, RFC 5034 4), or with the success itself (IMAP's `OK [SASL ...]`-less `+` can't,
     * but protocols with a success payload can).
     */
    private readonly finalData: 'as-challenge' | 'with-success' = 'as-challenge',
  ) {}

  /** Starts with the initial response as sent on the command line (`undefined` when none). */
  async start(initialResponse?: string): Promise<WireStep> {
    if (initialResponse === undefined) return this.deliver(await this.session.start(null));
    if (initialResponse === '*') return wire(this.session.cancel());
    const bytes = initialResponse === '=' ? new Uint8Array(0) : this.decode(initialResponse);
    if (typeof bytes === 'string') return this.refuse(bytes);
    return this.deliver(await this.session.start(bytes));
  }

  /** Answers the client's response line to the last challenge. */
  async respond(line: string): Promise<WireStep> {
    if (line === '*') {
      this.pendingSuccess = null;
      return wire(this.session.cancel());
    }
    if (this.pendingSuccess) {
      const success = this.pendingSuccess;
      this.pendingSuccess = null;
      return line === ''
        ? success
        : { type: 'failure', reason: 'malformed', message: 'expected an empty response' };
    }
    const bytes = this.decode(line);
    if (typeof bytes === 'string') return this.refuse(bytes);
    return this.deliver(await this.session.step(bytes));
  }

  private deliver(step: SaslStep): WireStep {
    const out = wire(step);
    if (out.type !== 'success' || !out.additionalData || this.finalData === 'with-success')
      return out;
    this.pendingSuccess = { type: 'success', identity: out.identity };
    return { type: 'challenge', challenge: out.additionalData };
  }

  private decode(text: string): Uint8Array | 'malformed' | 'too-long' {
    if (text.length > Math.ceil(this.maxResponse / 3) * 4 + 4) return 'too-long';
    const bytes = decodeSaslBase64(text);
    if (!bytes) return 'malformed';
    return bytes.length > this.maxResponse ? 'too-long' : bytes;
  }

  private refuse(reason: 'malformed' | 'too-long'): WireStep {
    this.session.cancel();
    return {
      type: 'failure',
      reason,
      message: reason === 'too-long' ? 'response too long' : 'response is not base64',
    };
  }
}

/** Strict base64 (RFC 4648 section 4, padded); null for anything else. */
export function decodeSaslBase64(text: string): Uint8Array | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

function wire(step: SaslStep): WireStep {
  switch (step.type) {
    case 'challenge':
      return { type: 'challenge', challenge: Buffer.from(step.challenge).toString('base64') };
    case 'success':
      return step.additionalData
        ? {
            type: 'success',
            identity: step.identity,
            additionalData: Buffer.from(step.additionalData).toString('base64'),
          }
        : { type: 'success', identity: step.identity };
    case 'failure':
      return step;
  }
}
