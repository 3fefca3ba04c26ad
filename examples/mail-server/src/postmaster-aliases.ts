import type { MemoryDirectory } from '@mailyard/mailstore-interface';
import { leadsNowhere } from '@mailyard/smtp-core';

/**
 * RFC 5321 4.5.1: every domain a server takes mail for has a `postmaster` that receives. Kerio
 * models it as an alias to the domain's administrator; a domain whose postmaster leads nowhere
 * gets that alias here, to its first (enabled) user, the one a first run makes (alice of
 * example.test). Aliases, users or a catch-all that already take postmaster are left as the
 * administrator made them. Returns what was done, and which domains still have no postmaster
 * (their RCPT TO:<postmaster@...> is refused with 550 5.1.1, never taken and bounced).
 */
export async function ensurePostmasters(directory: MemoryDirectory): Promise<string[]> {
  const notices: string[] = [];
  for (const { name } of await directory.domains()) {
    const address = `postmaster@${name}`;
    if (!leadsNowhere(await directory.resolveRecipient(address))) continue;
    const users = await directory.users(name);
    const administrator = users.find((user) => user.enabled) ?? users[0];
    if (!administrator) {
      notices.push(
        `users.cfg: ${address} leads to no mailbox, and ${name} has no user to take it: RCPT TO:<${address}> is refused until an alias or a user does`,
      );
      continue;
    }
    await directory.addAlias(name, 'postmaster', administrator.id);
    notices.push(
      `users.cfg: ${address} goes to ${administrator.id} (edit its alias to change that)`,
    );
  }
  return notices;
}
