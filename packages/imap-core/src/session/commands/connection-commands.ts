import type {
  CompressCommand,
  EnableCommand,
  IdCommand,
  SimpleCommand,
} from '../../protocol/command.js';
import { quote } from '../../protocol/response-builder.js';
import { ENABLEABLE } from '../capabilities.js';
import { NAMESPACES } from '../mailbox-names.js';
import type { SessionContext } from '../session-context.js';

export async function capability(session: SessionContext, command: SimpleCommand): Promise<void> {
  await session.sendLine(`* CAPABILITY ${session.capabilityList().join(' ')}`);
  await session.finish(command, 'OK', 'Capability completed');
}

/** NOOP, and CHECK (removed in IMAP4rev2, still answered as NOOP): a chance to report changes. */
export async function noop(session: SessionContext, command: SimpleCommand): Promise<void> {
  await session.finish(command, 'OK', `${command.name === 'CHECK' ? 'Check' : 'NOOP'} completed`);
}

export async function logout(session: SessionContext, command: SimpleCommand): Promise<void> {
  session.logOut();
  await session.sendLine('* BYE Logging out');
  await session.sendLine(`${command.tag} OK Logout completed`);
  session.close();
}

/** RFC 2971: the client says who it is, the server answers in kind. */
export async function id(session: SessionContext, command: IdCommand): Promise<void> {
  const fields = session.options.serverId ?? { name: 'Mailyard', vendor: 'Mailyard' };
  const pairs = Object.entries(fields).slice(0, 30);
  if (command.parameters) {
    session.logger.info('imap: client ID', {
      remote: session.remoteAddress,
      id: Object.fromEntries(command.parameters.slice(0, 30)),
    });
  }
  // The values are the application's: the builder decides quoted string or literal, so line
  // breaks and 8-bit text cannot break the response.
  const response = session.builder().raw('* ID ');
  if (pairs.length === 0) response.nil();
  else response.value(pairs.flatMap(([key, value]) => [key.slice(0, 30), value.slice(0, 1024)]));
  await session.send(response.crlf().finish());
  await session.finish(command, 'OK', 'ID completed');
}

/**
 * RFC 5161: turns on what the client names and the server has; `* ENABLED` lists what was
 * newly enabled, unknown names are ignored.
 */
export async function enable(session: SessionContext, command: EnableCommand): Promise<void> {
  const newly: string[] = [];
  const wasCondstore = session.condstore;
  for (const name of command.capabilities) {
    const capability = ENABLEABLE.get(name.toUpperCase());
    if (capability && session.enable(capability)) newly.push(capability);
  }
  if (!wasCondstore && session.condstore && session.selected) {
    // RFC 7162 3.1.1: CONDSTORE switched on while a mailbox is selected.
    const status = await session.selected.mailbox.status();
    await session.sendLine(`* OK [HIGHESTMODSEQ ${status.highestModSeq}] Highest`);
  }
  await session.sendLine(`* ENABLED${newly.map((c) => ` ${c}`).join('')}`);
  await session.finish(command, 'OK', 'Enabled');
}

/** RFC 2342, with Kerio's prefixes: personal, other users (`~user@domain/`), public (`#public/`). */
export async function namespace(session: SessionContext, command: SimpleCommand): Promise<void> {
  const entry = (prefix: string) => `((${quote(session.wireName(prefix))} "/"))`;
  await session.sendLine(
    `* NAMESPACE ${entry(NAMESPACES.personal)} ${entry(NAMESPACES.other)} ${entry(NAMESPACES.public)}`,
  );
  await session.finish(command, 'OK', 'Namespace completed');
}

/** RFC 4978: DEFLATE once per connection; `[COMPRESSIONACTIVE]` when it is on already. */
export async function compress(session: SessionContext, command: CompressCommand): Promise<void> {
  if (command.algorithm !== 'DEFLATE') {
    await session.finish(command, 'BAD', `Unknown compression algorithm ${command.algorithm}`);
    return;
  }
  if (session.compressed) {
    await session.finish(command, 'NO', 'Compression is already on', 'COMPRESSIONACTIVE');
    return;
  }
  if (!session.capabilityList().includes('COMPRESS=DEFLATE')) {
    await session.finish(command, 'NO', 'Compression is not available', 'CANNOT');
    return;
  }
  await session.startCompression(command);
}
