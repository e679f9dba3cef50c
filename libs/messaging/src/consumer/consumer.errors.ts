/**
 * Thrown by a handler when retrying cannot help (the event contradicts this service's state in a
 * way only a human can resolve). The message goes to the dead-letter topic at once.
 */
export class FatalEventError extends Error {
  constructor(
    message: string,
    readonly code: string = 'FATAL',
  ) {
    super(message);
    this.name = 'FatalEventError';
  }
}

export type ErrorClass = 'fatal' | 'retryable' | 'infrastructure';

// Postgres "connection exception" (08xxx) and "operator intervention" (57P0x) classes plus
// socket errors: the store is away, not the message bad. Never dead-letter for these.
const INFRASTRUCTURE_CODES = /^(08\d{3}|57P0[1-3]|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND)$/;

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.code ?? e.driverError?.code;
  return typeof code === 'string' ? code : undefined;
}

export function classifyError(err: unknown): ErrorClass {
  if (err instanceof FatalEventError) return 'fatal';
  if (err instanceof Error && err.name === 'ContractError') return 'fatal';
  const code = codeOf(err);
  if (code && INFRASTRUCTURE_CODES.test(code)) return 'infrastructure';
  if (
    err instanceof Error &&
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(err.message)
  )
    return 'infrastructure';
  return 'retryable';
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
