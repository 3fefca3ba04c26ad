import { describe, expect, it } from 'vitest';
import { REPEATED_SIGNAL_MS, StopSignals } from '../src/shutdown.js';

describe('what a stop signal means', () => {
  it('stops on the first, ignores its copies, and exits at once on a later one', () => {
    const signals = new StopSignals();
    expect(signals.receive(5_000)).toBe('stop');
    // npm passing on the terminal's Ctrl-C, which the server got itself too.
    expect(signals.receive(5_002)).toBe('duplicate');
    expect(signals.receive(5_000 + REPEATED_SIGNAL_MS - 1)).toBe('duplicate');
    // A person pressing Ctrl-C again, because the stop takes too long.
    expect(signals.receive(5_000 + REPEATED_SIGNAL_MS)).toBe('exit-now');
  });

  it('takes its window as an option', () => {
    const signals = new StopSignals(0);
    expect(signals.receive(0)).toBe('stop');
    expect(signals.receive(0)).toBe('exit-now');
  });
});
