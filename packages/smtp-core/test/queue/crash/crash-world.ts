import { MemoryDirectory } from '@mailyard/mailstore-interface';

/** The directory the crash test delivers into: three users and an alias for two of them. */
export async function crashDirectory(): Promise<MemoryDirectory> {
  const directory = new MemoryDirectory();
  await directory.addDomain('crash.test');
  for (const user of ['u0', 'u1', 'u2']) await directory.addUser(`${user}@crash.test`);
  await directory.addAlias('crash.test', 'team', 'u0@crash.test');
  await directory.addAlias('crash.test', 'team', 'u1@crash.test');
  return directory;
}

/** The mailboxes a recipient list reaches. */
export function mailboxesOf(recipients: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const recipient of recipients) {
    if (recipient === 'team@crash.test') {
      out.add('u0@crash.test');
      out.add('u1@crash.test');
    } else out.add(recipient);
  }
  return out;
}
