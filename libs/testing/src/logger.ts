import pino, { type Logger } from 'pino';

/** Quiet unless a test run asks for logs with TEST_LOG_LEVEL=debug. */
export function testLogger(): Logger {
  return pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
}
