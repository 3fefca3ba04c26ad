import type { Clock } from '@mailyard/mailstore-interface';
import type { SpfCheck } from '@mailyard/spam-scoring';

export interface RememberedSpfOptions {
  /** How long an answer is reused; default 60,000 ms. */
  readonly memoryMs?: number;
  /** How many answers are kept; the oldest is forgotten first. Default 10,000. */
  readonly maxEntries?: number;
}

/**
 * The engine runs the envelope stage again at each RCPT TO (a To rule may match the new
 * recipient): without this, a message to 100 recipients would evaluate the sender's SPF record
 * 101 times, each up to RFC 7208's 10 lookups. An answer is reused for a minute.
 */
export function rememberedSpf(
  check: SpfCheck,
  clock: Clock,
  options: RememberedSpfOptions = {},
): SpfCheck {
  const memoryMs = options.memoryMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const answers = new Map<string, { at: number; answer: ReturnType<SpfCheck> }>();
  return (query) => {
    const key = `${query.ip}\0${query.sender.toLowerCase()}\0${query.helo.toLowerCase()}`;
    const now = clock.now();
    const known = answers.get(key);
    if (known && now - known.at < memoryMs) return known.answer;
    answers.delete(key);
    if (answers.size >= maxEntries) answers.delete(answers.keys().next().value!);
    const answer = check(query);
    answers.set(key, { at: now, answer });
    // A check that throws is not remembered: the next one asks again. A temperror is an answer
    // and is kept like the others: a client's RCPTs do not each wait for a failing DNS.
    answer.catch(() => {
      if (answers.get(key)?.answer === answer) answers.delete(key);
    });
    return answer;
  };
}
