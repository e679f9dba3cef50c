/** Bounds on a service's Postgres connections, in milliseconds (0: none). */
export interface ConnectionLimits {
  /** Longest a statement may run (statement_timeout; SQLSTATE 57014 past it). */
  readonly statementTimeoutMs: number;
  /** Longest a statement may wait for a lock (lock_timeout; SQLSTATE 55P03 past it). */
  readonly lockTimeoutMs: number;
  /** Longest a transaction may stay open doing nothing before its session is ended. */
  readonly idleInTransactionTimeoutMs: number;
  /** Longest a caller waits for a free connection of the pool (or for a new one to connect). */
  readonly acquireTimeoutMs: number;
}

/**
 * The pg pool options (TypeORM's `extra`) that enforce `limits`: the session settings are sent at
 * connection start (libpq `options`, after `baseOptions`, the planner settings of ADR 0008), so
 * they cost no round trip and hold on every connection of the pool; pg-pool's
 * `connectionTimeoutMillis` bounds the wait for a free connection.
 */
export function limitedPoolOptions(
  baseOptions: string,
  limits: ConnectionLimits,
): { options: string; connectionTimeoutMillis: number } {
  const options = [
    baseOptions,
    `-c statement_timeout=${limits.statementTimeoutMs}`,
    `-c lock_timeout=${limits.lockTimeoutMs}`,
    `-c idle_in_transaction_session_timeout=${limits.idleInTransactionTimeoutMs}`,
  ]
    .filter(Boolean)
    .join(' ');
  return { options, connectionTimeoutMillis: limits.acquireTimeoutMs };
}
