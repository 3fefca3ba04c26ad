import { describe, expect, it } from 'vitest';
import { type Logger, loggerWithFields } from '../src/index.js';

describe('loggerWithFields', () => {
  it('adds its fields to every level, and a call’s own fields win', () => {
    const lines: unknown[] = [];
    const base: Logger = {
      info: (message, fields) => lines.push(['info', message, fields]),
      warn: (message, fields) => lines.push(['warn', message, fields]),
      error: (message, fields) => lines.push(['error', message, fields]),
    };
    const logger = loggerWithFields(base, { session: 'a1', service: 'imap' });
    logger.info('one');
    logger.warn('two', { login: 'alice' });
    logger.error('three', { service: 'pop3' });
    expect(lines).toEqual([
      ['info', 'one', { session: 'a1', service: 'imap' }],
      ['warn', 'two', { session: 'a1', service: 'imap', login: 'alice' }],
      ['error', 'three', { session: 'a1', service: 'pop3' }],
    ]);
  });
});
