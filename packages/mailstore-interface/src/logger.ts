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

/**
 * The same logger with `fields` added to every entry: a session hands its id to every line it
 * writes this way, so that no log call can forget it.
 */
export function loggerWithFields(logger: Logger, fields: Record<string, unknown>): Logger {
  return {
    info: (message, extra) => logger.info(message, { ...fields, ...extra }),
    warn: (message, extra) => logger.warn(message, { ...fields, ...extra }),
    error: (message, extra) => logger.error(message, { ...fields, ...extra }),
  };
}
