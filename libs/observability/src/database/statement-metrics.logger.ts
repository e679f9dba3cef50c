import type { Logger as PinoLogger } from 'pino';
import { Counter, register } from 'prom-client';
import type { Logger as TypeOrmLogger } from 'typeorm';

const statements =
  (register.getSingleMetric('duemap_db_statements_total') as Counter<'kind'> | undefined) ??
  new Counter({
    name: 'duemap_db_statements_total',
    help: 'SQL statements sent to the service database, by leading keyword (select, insert, update, ...)',
    labelNames: ['kind'],
  });

const KINDS = new Set(['select', 'insert', 'update', 'delete', 'with', 'start', 'commit', 'rollback']);

/** The statement's leading keyword, or "other" (a label value from a small fixed set). */
export function statementKind(query: string): string {
  const word = /^\s*([a-zA-Z]+)/.exec(query)?.[1]?.toLowerCase() ?? '';
  return KINDS.has(word) ? word : 'other';
}

/**
 * TypeORM's logger hook, used to count every statement a service sends (round trips are what a
 * request or an event costs the database) and to report slow and failing ones as structured logs.
 * It prints no query text on the hot path.
 */
export class StatementMetricsLogger implements TypeOrmLogger {
  constructor(private readonly logger: PinoLogger) {}

  logQuery(query: string): void {
    statements.inc({ kind: statementKind(query) });
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.debug({ err: error, query: query.slice(0, 500) }, 'query failed');
  }

  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ durationMs: time, query: query.slice(0, 500) }, 'slow query');
  }

  logSchemaBuild(): void {}

  logMigration(message: string): void {
    this.logger.info({ migration: message }, 'migration');
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn({ message }, 'typeorm');
  }
}
