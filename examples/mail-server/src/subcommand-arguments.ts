import { type ParseArgsConfig, parseArgs } from 'node:util';
import { StartupError } from './startup-error.js';

/**
 * A subcommand's options (`mailyard-server backup`, `spam-statistics`), parsed strictly with no
 * positionals: a mistake is a StartupError that names it and shows the usage.
 */
export function parseSubcommandArguments<const T extends ParseArgsConfig['options']>(
  args: readonly string[],
  options: T,
  usage: string,
): ReturnType<typeof parseArgs<{ options: T; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args: [...args], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new StartupError(`${(error as Error).message}\n\n${usage}`);
  }
}
