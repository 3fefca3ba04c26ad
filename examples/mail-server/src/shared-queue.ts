import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, nullIfMissing, writeFileAtomically } from '@mailyard/mailstore-interface';
import { PostgresQueueStorage } from '@mailyard/mailstore-postgres';
import type { DataDirectory } from './data-directory.js';
import type { MailServerConfig } from './server-config.js';
import { StartupError } from './startup-error.js';

/**
 * The delivery queue in PostgreSQL, shared by the servers over one store (`StoreUrl`): each
 * server delivers what it accepted, and the mail of a server silent for `QueueNodeLeaseSeconds`
 * goes to another one. The server's name among them is kept in `<data>/node-id`, so a server
 * that starts again takes its own queued mail back at once (its data directory is locked: one
 * process a name).
 */
export async function openSharedQueue(
  url: string,
  data: DataDirectory,
  config: MailServerConfig,
  logger: Logger,
): Promise<PostgresQueueStorage> {
  const node = await nodeName(data);
  try {
    return await PostgresQueueStorage.open({
      url,
      node,
      leaseSeconds: config.queue.nodeLeaseSeconds,
      onLeaseError: (error) => logger.error("could not renew this server's queue lease", { error }),
      ...(config.limits.messageSize > 0 ? { maxMessageSize: config.limits.messageSize } : {}),
    });
  } catch (error) {
    const where = new URL(url);
    where.password = '';
    throw new StartupError(
      `the queue at ${where.href} cannot be opened: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

async function nodeName(data: DataDirectory): Promise<string> {
  const path = join(data.root, 'node-id');
  // Only a missing file means a first start; an unreadable one must not give a second name.
  const saved = (await nullIfMissing(readFile(path, 'utf8')))?.trim();
  if (saved) return saved;
  const name = randomUUID();
  await writeFileAtomically(path, `${name}\n`);
  return name;
}
