/**
 * Graceful shutdown on SIGTERM (service managers) and SIGINT (Ctrl-C): the first one stops the
 * server, which lets in-flight work finish within its grace period; a second one, or a stop that
 * overruns `boundMs`, exits at once. Nothing is lost either way: accepted mail is in the durable
 * queue before its 250, and the next start delivers whatever is left.
 */
export function stopOnSignals(
  stop: () => Promise<void>,
  options: { readonly boundMs: number; readonly say: (message: string) => void },
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      options.say(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
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
