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

/**
 * The store is away, full, read-only or out of time: not the message's fault. These stop the batch
 * uncommitted and Kafka redelivers it; dead-lettering them would park good events during a failover
 * (an invoice-paid on .dlq leaves its invoice open for good).
 *
 * Postgres SQLSTATEs by class: 08 connection exception (not 08P01, protocol violation: a message pg
 * cannot send, e.g. past 65,535 parameters, fails the same way every time); 25006 read-only
 * transaction (a standby after failover) and 25P03 (session ended while idle in a transaction);
 * 28 rejected credentials (rotated under a running service); 53 insufficient resources (too many
 * connections, disk full, out of memory); 55P03 and 57014, the lock and statement timeouts the
 * service sets (DATABASE_*_TIMEOUT); 57P0x operator intervention (shutdown, crash, starting up,
 * database dropped, idle session ended); 58000/58030 the server's own system and I/O errors. Then
 * socket and DNS errors. Serialization failures and deadlocks (40001, 40P01) are not here: a new
 * transaction resolves them, so they stay retryable.
 */
const INFRASTRUCTURE_CODES =
  /^(08\d{3}|25006|25P03|28000|28P01|53\d{3}|55P03|57014|57P0[1-5]|58000|58030|ECONNREFUSED|ECONNRESET|ECONNABORTED|ETIMEDOUT|EPIPE|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|EHOSTDOWN|ENETUNREACH|ENETDOWN)$/;

/** What pg and pg-pool throw without a code when the connection, not the statement, failed. */
const INFRASTRUCTURE_MESSAGES =
  /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Query read timeout/i;

function codeOf(err: object): string | undefined {
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = e.code ?? e.driverError?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether the error, or one it wraps (TypeORM's driverError, a cause, an AggregateError's), is an outage. */
function isInfrastructure(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 5) return false;
  const code = codeOf(err);
  if (code !== undefined && INFRASTRUCTURE_CODES.test(code)) return true;
  if (err instanceof Error && INFRASTRUCTURE_MESSAGES.test(err.message)) return true;
  const { cause, errors } = err as { cause?: unknown; errors?: unknown };
  if (isInfrastructure(cause, depth + 1)) return true;
  return Array.isArray(errors) && errors.some((inner) => isInfrastructure(inner, depth + 1));
}

export function classifyError(err: unknown): ErrorClass {
  if (err instanceof FatalEventError) return 'fatal';
  if (err instanceof Error && err.name === 'ContractError') return 'fatal';
  return isInfrastructure(err) ? 'infrastructure' : 'retryable';
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
