/**
 * Waits for a condition the system reaches by itself (another node's change arriving, an
 * adoption), checking every 20 ms; fails after `ms`. Waiting for the event, not for a time.
 */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
