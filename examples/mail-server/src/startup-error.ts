/**
 * A problem the person starting the server has to fix (a bad flag, a busy port, a broken
 * configuration file). The program prints its message, without a stack trace, and exits
 * non-zero: the message must say what is wrong and where.
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}
