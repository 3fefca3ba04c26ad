/**
 * A signal that arrives this soon after the first is the same request delivered twice, not an
 * impatient second one. Ctrl-C signals the terminal's whole process group, and `npm start`
 * (whose script `exec`s the server, so that stopping npm stops the server) forwards what it
 * receives to the server as well; GNU `timeout` signals its child and then its own group. The
 * copies arrive within milliseconds; a person pressing Ctrl-C twice takes longer than this.
 */
export const REPEATED_SIGNAL_MS = 1_000;

export type SignalVerdict = 'stop' | 'duplicate' | 'exit-now';

/**
 * What a stop signal means, given the ones before it: the first stops gracefully, its copies
 * (within `repeatedSignalMs` of it) change nothing, and any later one means "exit now".
 */
export class StopSignals {
  private firstAt: number | null = null;

  constructor(private readonly repeatedSignalMs = REPEATED_SIGNAL_MS) {}

  receive(now: number): SignalVerdict {
    if (this.firstAt === null) {
      this.firstAt = now;
      return 'stop';
    }
    return now - this.firstAt < this.repeatedSignalMs ? 'duplicate' : 'exit-now';
  }
}

/**
 * Graceful shutdown on SIGTERM (service managers, `kill`, npm passing on its own SIGTERM) and
 * SIGINT (Ctrl-C): the first one stops the server, which lets in-flight work finish within its
 * grace period; a second one (see {@link StopSignals}), or a stop that overruns `boundMs`, exits
 * at once. Nothing is lost either way: accepted mail is in the durable queue before its 250, and
 * the next start delivers whatever is left.
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  options: { readonly boundMs: number; readonly say: (message: string) => void },
): void {
  const signals = new StopSignals();
  const onSignal = (signal: NodeJS.Signals) => {
    switch (signals.receive(performance.now())) {
      case 'duplicate':
        return;
      case 'exit-now':
        options.say(`${signal} again: exiting now`);
        process.exit(1);
    }
    options.say(`${signal}: stopping (in-flight transactions get to finish)`);
    setTimeout(() => {
      options.say(`still stopping after ${options.boundMs} ms: exiting now`);
      process.exit(1);
    }, options.boundMs).unref();
    stop().then(
      () => {
        options.say('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        options.say(`error while stopping: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
