import type { Logger } from 'pino';
import type { DataSource, EntityManager, QueryRunner, TransactionCommitEvent } from 'typeorm';
import { AfterCommit } from './after-commit';

function setup() {
  const dataSource = { subscribers: [] as unknown[] } as unknown as DataSource;
  const logger = { warn: jest.fn() };
  const afterCommit = new AfterCommit(dataSource, logger as unknown as Logger);
  const runner: { isTransactionActive: boolean } = { isTransactionActive: true };
  const em = { queryRunner: runner } as unknown as EntityManager;
  const event = { queryRunner: runner as QueryRunner } as TransactionCommitEvent;
  return { dataSource, afterCommit, logger, runner, em, event };
}

describe('AfterCommit', () => {
  it("registers itself as a subscriber of the service's DataSource", () => {
    const { dataSource, afterCommit } = setup();
    expect(dataSource.subscribers).toContain(afterCommit);
  });

  it('runs the tasks of a transaction once it committed, not before', async () => {
    const { afterCommit, runner, em, event } = setup();
    const task = jest.fn().mockResolvedValue(undefined);
    afterCommit.run(em, task);
    expect(task).not.toHaveBeenCalled();
    runner.isTransactionActive = false;
    afterCommit.afterTransactionCommit(event);
    await afterCommit.settle();
    expect(task).toHaveBeenCalledTimes(1);
    afterCommit.afterTransactionCommit(event);
    expect(task).toHaveBeenCalledTimes(1);
  });

  it('waits for the outer commit when a savepoint is released', () => {
    const { afterCommit, em, event } = setup();
    const task = jest.fn().mockResolvedValue(undefined);
    afterCommit.run(em, task);
    afterCommit.afterTransactionCommit(event); // still active: only a savepoint
    expect(task).not.toHaveBeenCalled();
  });

  it('drops the tasks of a transaction that rolled back', async () => {
    const { afterCommit, runner, em, event } = setup();
    const task = jest.fn().mockResolvedValue(undefined);
    afterCommit.run(em, task);
    runner.isTransactionActive = false;
    afterCommit.afterTransactionRollback(event);
    afterCommit.afterTransactionCommit(event);
    await afterCommit.settle();
    expect(task).not.toHaveBeenCalled();
  });

  it('logs a failing task instead of failing the committed transaction', async () => {
    const { afterCommit, runner, em, event, logger } = setup();
    afterCommit.run(em, () => Promise.reject(new Error('redis is away')));
    runner.isTransactionActive = false;
    expect(() => afterCommit.afterTransactionCommit(event)).not.toThrow();
    await afterCommit.settle();
    expect(logger.warn).toHaveBeenCalledWith(
      { err: new Error('redis is away') },
      'after-commit task failed; the reconciler will retry',
    );
  });

  it('refuses an EntityManager without an open transaction', () => {
    const { afterCommit } = setup();
    expect(() => afterCommit.run({} as EntityManager, () => Promise.resolve())).toThrow(/open transaction/);
  });
});
