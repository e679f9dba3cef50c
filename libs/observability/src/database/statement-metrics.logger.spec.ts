import { register } from 'prom-client';
import { statementKind, StatementMetricsLogger } from './statement-metrics.logger';
import { createLogger } from '../logger';

describe('StatementMetricsLogger', () => {
  it('names a statement by its leading keyword, from a fixed set', () => {
    expect(statementKind('  SELECT 1')).toBe('select');
    expect(statementKind('INSERT INTO outbox …')).toBe('insert');
    expect(statementKind('WITH p AS (…) INSERT …')).toBe('with');
    expect(statementKind('START TRANSACTION')).toBe('start');
    expect(statementKind('LISTEN duemap_outbox')).toBe('other');
    expect(statementKind('')).toBe('other');
  });

  it('counts statements in duemap_db_statements_total', async () => {
    const logger = new StatementMetricsLogger(createLogger({ service: 'test', level: 'silent' }));
    const count = async (): Promise<number> => {
      const metric = await register.getSingleMetric('duemap_db_statements_total')?.get();
      return metric?.values.find((v) => v.labels.kind === 'update')?.value ?? 0;
    };
    const before = await count();
    logger.logQuery('UPDATE customers SET …');
    logger.logQuery('update outbox SET …');
    expect((await count()) - before).toBe(2);
  });
});
