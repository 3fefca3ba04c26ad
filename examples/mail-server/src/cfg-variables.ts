import type { KerioConfigEntry } from '@mailyard/mailstore-interface';
import { StartupError } from './startup-error.js';

/*
 * Reading and writing mailserver.cfg's variables: typed access with errors that name the file
 * and the variable, shared by the file's sections (mailserver-cfg.ts, mailserver-cfg-spam.ts).
 */

/** One `<variable>`: flags as 0 and 1. */
export function v(variable: string, value: string | number | boolean): KerioConfigEntry {
  return { variable, value: typeof value === 'boolean' ? (value ? '1' : '0') : String(value) };
}

/** Typed access to the variables, with errors that name the file and the variable. */
export class Reader {
  private readonly used = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly variables: ReadonlyMap<string, string>,
  ) {}

  text(name: string, fallback: string): string {
    this.used.add(name);
    return this.variables.get(name)?.trim() ?? fallback;
  }

  /** The value as written, spaces kept. */
  raw(name: string, fallback: string): string {
    this.used.add(name);
    return this.variables.get(name) ?? fallback;
  }

  /** A decimal number between `minimum` and `maximum` (Kerio's scores: 5, 9.5). */
  score(name: string, fallback: number, minimum: number, maximum: number): number {
    const value = this.text(name, String(fallback));
    const number = /^-?\d{1,3}(\.\d{1,3})?$/.test(value) ? Number(value) : NaN;
    if (!(number >= minimum && number <= maximum)) {
      throw new StartupError(
        `${this.file}: ${name} is a number from ${minimum} to ${maximum}, not "${value}"`,
      );
    }
    return number;
  }

  flag(name: string, fallback: boolean): boolean {
    const value = this.text(name, fallback ? '1' : '0');
    if (value !== '0' && value !== '1') {
      throw new StartupError(`${this.file}: ${name} is 0 or 1, not "${value}"`);
    }
    return value === '1';
  }

  count(name: string, fallback: number, minimum = 0): number {
    return parseCount(this.file, name, this.text(name, String(fallback)), minimum);
  }

  port(name: string, fallback: number): number {
    return parsePort(this.file, name, this.text(name, String(fallback)));
  }

  /** One of `choices`; the first is the default. */
  choice<const T extends string>(name: string, choices: readonly [T, ...T[]]): T {
    const value = this.text(name, choices[0]);
    const chosen = choices.find((choice) => choice === value);
    if (chosen === undefined) {
      throw new StartupError(`${this.file}: ${name} is ${choices.join(', ')}, not "${value}"`);
    }
    return chosen;
  }

  unused(): string[] {
    return [...this.variables.keys()].filter((name) => !this.used.has(name));
  }
}

export function parseCount(file: string, name: string, value: string, minimum = 0): number {
  const number = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
  if (!(number >= minimum)) {
    throw new StartupError(`${file}: ${name} is a whole number from ${minimum}, not "${value}"`);
  }
  return number;
}

export function parsePort(file: string, where: string, value: string): number {
  const port = parseCount(file, where, value);
  if (port > 65535) throw new StartupError(`${file}: ${where} ${port} is not a port number`);
  return port;
}
