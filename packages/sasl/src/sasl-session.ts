import { LoginRefusedError } from './guarded-credentials.js';
import type { Exchange, SaslContext, SaslMechanism } from './mechanism.js';
import { type SaslStep, failure } from './sasl-result.js';

/**
 * One authentication attempt: `start` (with the client's initial response, if any), then `step`
 * with each response until a success or failure. Everything the client sends is handled here:
 * whatever it is, the answer is a step, never an exception, and nothing is accepted after the end.
 */
export class SaslSession {
  private exchange: Exchange | null = null;
  private finished = false;

  constructor(
    readonly mechanism: SaslMechanism,
    private readonly context: SaslContext,
    /** Plaintext mechanisms without TLS are refused unless this is set (Kerio's "No restrictions"). */
    private readonly allowPlaintext = false,
  ) {}

  get done(): boolean {
    return this.finished;
  }

  start(initialResponse?: Uint8Array | null): Promise<SaslStep> {
    if (this.exchange || this.finished)
      return Promise.resolve(this.end(failure('malformed', 'already started')));
    if (this.mechanism.plaintext && !this.context.secure && !this.allowPlaintext) {
      return Promise.resolve(
        this.end(failure('encryption-required', `${this.mechanism.name} needs TLS`)),
      );
    }
    if (!this.mechanism.available(this.context)) {
      return Promise.resolve(
        this.end(failure('unavailable', `${this.mechanism.name} is not available here`)),
      );
    }
    if (this.mechanism.serverFirst && initialResponse != null) {
      return Promise.resolve(
        this.end(failure('malformed', `${this.mechanism.name} takes no initial response`)),
      );
    }
    const exchange = this.mechanism.exchange(this.context, initialResponse ?? null);
    this.exchange = exchange;
    return this.advance(() => exchange.next());
  }

  step(response: Uint8Array): Promise<SaslStep> {
    const exchange = this.exchange;
    if (!exchange || this.finished)
      return Promise.resolve(this.end(failure('malformed', 'no exchange in progress')));
    return this.advance(() => exchange.next(response));
  }

  /** The client gave up (`*`). */
  cancel(): SaslStep {
    void this.exchange?.return(failure('cancelled', 'cancelled'));
    return this.end(failure('cancelled', `${this.mechanism.name} cancelled by the client`));
  }

  private async advance(
    next: () => Promise<IteratorResult<Uint8Array, SaslStep>>,
  ): Promise<SaslStep> {
    try {
      const result = await next();
      return result.done ? this.end(result.value) : { type: 'challenge', challenge: result.value };
    } catch (error) {
      if (error instanceof LoginRefusedError) {
        return this.end({
          type: 'failure',
          reason: 'refused',
          message: `login guard: ${error.refusal.reason}`,
          authenticationId: error.login,
          refusal: error.refusal,
        });
      }
      // Mechanisms report bad input as failures; what throws is a credential lookup.
      return this.end(failure('temporary', `credential lookup failed: ${String(error)}`));
    }
  }

  private end(step: SaslStep): SaslStep {
    this.finished = true;
    return step;
  }
}
