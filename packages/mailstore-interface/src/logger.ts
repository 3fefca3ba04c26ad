/**
 * Where engines and stores report what an operator should know. Injected; the default is silent.
 * Kerio's Mail, Security and Warning logs are built on top of it by the application.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
