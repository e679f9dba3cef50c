import { InjectQueue } from '@nestjs/bullmq';
import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig } from '@duemap/config';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Clock } from '../common/clock';
import { SERVICE_LOGGER } from '../common/logger';
import type { NotificationsConfig } from '../config';
import { reminderJobsRepaired, reminderQueueLosses } from './reminder.metrics';
import { REMINDER_QUEUE, type ReminderQueue } from './reminder.queue';
import {
  ReconcileReminderJobsUseCase,
  type ReconcileReport,
} from './usecases/reconcile-reminder-jobs.usecase';

/**
 * A key of the queue's own that the reconciler keeps in Redis. Redis here keeps nothing on disk:
 * when the key is gone, so is every job (a restart, a FLUSHALL, a failover to an empty replica).
 */
const SENTINEL = 'duemap-reconciler-sentinel';

/**
 * Runs the job reconciliation every REMINDER_RECONCILE_INTERVAL, one pass at a time, and rebuilds
 * the jobs of the near future (every reminder due within two intervals, overdue ones included) at
 * once when they may be gone: at start, whenever the queue's Redis connection is established again,
 * and when Redis lost its data (the sentinel is gone), in which case every scheduled reminder's
 * job is put back (soonest first) instead of waiting until they are overdue.
 */
@Injectable()
export class ReminderReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private watch?: NodeJS.Timeout;
  private pass?: Promise<void>;
  /** A rebuild was asked for while a pass ran: the next pass does it. */
  private rebuildWanted = false;
  private stopped = false;
  private readonly token = randomUUID();

  constructor(
    private readonly reconcile: ReconcileReminderJobsUseCase,
    @InjectQueue(REMINDER_QUEUE) private readonly queue: ReminderQueue,
    @InjectConfig() private readonly config: NotificationsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.config.REMINDER_RECONCILE_INTERVAL);
    this.timer.unref();
    // A pass may be a minute away; a lost sentinel is looked for every few seconds (one EXISTS).
    this.watch = setInterval(
      () => void this.rebuildIfRedisLostItsData(),
      this.config.REMINDER_REDIS_WATCH_INTERVAL,
    );
    this.watch.unref();
    void this.rebuild();
    // ioredis says 'ready' each time the connection is (re-)established: after a reconnect, the
    // server may be a new, empty one.
    this.queue.client.then(
      (client) => client.on('ready', () => void this.rebuild()),
      (err: unknown) => this.logger.warn({ err }, 'reminder reconciler: no Redis client to watch'),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearInterval(this.watch);
    await this.pass;
  }

  /** Starts a pass unless one is running; resolves when that pass is over. */
  runOnce(): Promise<void> {
    this.pass ??= this.passOnce().finally(() => {
      this.pass = undefined;
      if (this.rebuildWanted && !this.stopped) void this.runOnce();
    });
    return this.pass;
  }

  /** A pass that also rebuilds the near future (now, or right after the one running). */
  rebuild(): Promise<void> {
    this.rebuildWanted = true;
    return this.runOnce();
  }

  private async passOnce(): Promise<void> {
    let rebuild = this.rebuildWanted;
    this.rebuildWanted = false;
    try {
      if (await this.redisLostItsData()) {
        rebuild = true;
        const forgotten = await this.reconcile.forgetEnqueued();
        reminderQueueLosses.inc();
        this.logger.warn({ forgotten }, 'Redis lost the reminder jobs: putting every scheduled one back');
      }
      if (rebuild) {
        const until = new Date(this.clock.now().getTime() + 2 * this.config.REMINDER_RECONCILE_INTERVAL);
        this.report(await this.reconcile.ensureDueBefore(until), 'rebuild');
      }
      this.report(await this.reconcile.execute(), 'pass');
    } catch (err) {
      // Still wanted: the next pass tries again.
      if (rebuild) this.rebuildWanted = true;
      this.logger.warn({ err }, 'reminder job reconciliation failed');
    }
  }

  /** Starts a pass at once (it rebuilds) when the sentinel is gone; the pass writes it again. */
  private async rebuildIfRedisLostItsData(): Promise<void> {
    if (this.pass || this.stopped) return;
    try {
      const client = await this.queue.client;
      if ((await client.hget(this.sentinelKey(), 'owner')) === null) await this.runOnce();
    } catch (err) {
      this.logger.debug({ err }, 'reminder reconciler: Redis sentinel check failed');
    }
  }

  private sentinelKey(): string {
    return `${this.queue.opts.prefix ?? 'bull'}:${REMINDER_QUEUE}:${SENTINEL}`;
  }

  /**
   * Writes the sentinel, answering whether it was missing: Redis lost its data since the last
   * look (or this is the first start on this Redis; the rebuild then finds little to do). HSET
   * says how many fields it created, so one atomic command both checks and sets (BullMQ's client
   * interface has no SET NX).
   */
  private async redisLostItsData(): Promise<boolean> {
    const client = await this.queue.client;
    return (await client.hset(this.sentinelKey(), { owner: this.token })) === 1;
  }

  private report(report: ReconcileReport, kind: 'pass' | 'rebuild'): void {
    if (report.added === 0) return;
    reminderJobsRepaired.inc(report.added);
    this.logger.warn({ report, kind }, 'reminder jobs were missing and have been added');
  }
}
