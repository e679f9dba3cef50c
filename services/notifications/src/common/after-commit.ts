import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { SERVICE_LOGGER } from './logger';

type Task = () => Promise<void>;

/**
 * Runs work once a transaction has committed, for side effects that cannot join it (BullMQ jobs
 * live in Redis). Registered as a TypeORM subscriber of the service's DataSource, so it sees the
 * commit of any transaction, the consumer's inbox transactions included. Tasks of a transaction
 * that rolls back are dropped. Tasks run in the background: the commit (and the Kafka consumer
 * behind it) never waits for Redis, and a failed task is only logged, because the caller has a
 * reconciler that repairs whatever a lost task would have done.
 */
@Injectable()
export class AfterCommit implements EntitySubscriberInterface, BeforeApplicationShutdown {
  private readonly pending = new WeakMap<QueryRunner, Task[]>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    @Inject(getDataSourceToken()) dataSource: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    dataSource.subscribers.push(this);
  }

  /** Queues `task` to run after the transaction of `em` commits. */
  run(em: EntityManager, task: Task): void {
    const runner = em.queryRunner;
    if (!runner?.isTransactionActive) {
      throw new Error('AfterCommit.run needs the EntityManager of an open transaction');
    }
    const tasks = this.pending.get(runner) ?? [];
    tasks.push(task);
    this.pending.set(runner, tasks);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    // A released savepoint: the outer transaction is still open and may yet roll back.
    if (runner.isTransactionActive) return;
    const tasks = this.pending.get(runner);
    if (tasks === undefined) return;
    this.pending.delete(runner);
    for (const task of tasks) this.track(task);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (!event.queryRunner.isTransactionActive) this.pending.delete(event.queryRunner);
  }

  /** Waits for the tasks started so far (shutdown, and specs that want a quiet moment). */
  async settle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.settle();
  }

  private track(task: Task): void {
    const promise = task()
      .catch((err: unknown) =>
        this.logger.warn({ err }, 'after-commit task failed; the reconciler will retry'),
      )
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
  }
}
