import type { PostgresGreylist } from '@mailyard/mailstore-postgres';
import {
  type GreylistDecision,
  type GreylistOptions,
  GreylistPolicy,
} from '@mailyard/spam-scoring';

/** `GreylistPolicy`'s default: records unused this long are forgotten. */
const DEFAULT_MAX_AGE_MS = 35 * 86_400_000;

/**
 * Greylisting over the database the servers share: each check loads the triplet's and the
 * client network's records, lets `GreylistPolicy` decide on them (the same rules as a single
 * server's), and writes back what it changed, in one transaction. A sender deferred by one
 * server passes through another once the delay is over.
 */
export class SharedGreylist {
  constructor(
    private readonly rows: PostgresGreylist,
    private readonly options: GreylistOptions,
  ) {}

  async check(
    clientIp: string,
    mailFrom: string,
    rcptTo: string,
    now: number,
  ): Promise<GreylistDecision> {
    // Exempt clients need no record (and no round trip).
    if (this.options.exempt?.(clientIp)) return { action: 'pass', reason: 'exempt', reply: null };
    const keys = GreylistPolicy.keysOf(clientIp, mailFrom, rcptTo);
    return this.rows.decide(keys, now, this.options.maxAgeMs ?? DEFAULT_MAX_AGE_MS, (rows) => {
      const policy = GreylistPolicy.from(
        {
          triplets: rows.triplet ? [[keys.triplet, rows.triplet]] : [],
          clients: rows.client ? [[keys.client, rows.client]] : [],
        },
        this.options,
      );
      const result = policy.check(clientIp, mailFrom, rcptTo, now);
      const state = policy.state();
      return {
        result,
        rows: {
          triplet: state.triplets.find(([key]) => key === keys.triplet)?.[1] ?? null,
          client: state.clients.find(([key]) => key === keys.client)?.[1] ?? null,
        },
      };
    });
  }
}
