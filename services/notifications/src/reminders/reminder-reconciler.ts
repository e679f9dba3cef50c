import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectConfig } from '@duemap/config';
import type { Logger } from 'pino';
import { SERVICE_LOGGER } from '../common/logger';
import type { NotificationsConfig } from '../config';
import { reminderJobsRepaired } from './reminder.metrics';
import { ReconcileReminderJobsUseCase } from './usecases/reconcile-reminder-jobs.usecase';

/** Runs the job reconciliation every REMINDER_RECONCILE_INTERVAL, one pass at a time. */
@Injectable()
export class ReminderReconciler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private pass?: Promise<void>;

  constructor(
    private readonly reconcile: ReconcileReminderJobsUseCase,
    @InjectConfig() private readonly config: NotificationsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.runOnce(), this.config.REMINDER_RECONCILE_INTERVAL);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.pass;
  }

  /** Starts a pass unless one is running; resolves when that pass is over. */
  runOnce(): Promise<void> {
    this.pass ??= this.reconcile
      .execute()
      .then((report) => {
        if (report.added === 0) return;
        reminderJobsRepaired.inc(report.added);
        this.logger.warn({ report }, 'reminder jobs were missing and have been added');
      })
      .catch((err: unknown) => this.logger.warn({ err }, 'reminder job reconciliation failed'))
      .finally(() => {
        this.pass = undefined;
      });
    return this.pass;
  }
}
