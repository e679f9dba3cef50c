import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectConfig } from '@duemap/config';
import { DelayedError, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import { SERVICE_LOGGER } from '../common/logger';
import type { NotificationsConfig } from '../config';
import { reminderJobs } from './reminder.metrics';
import { REMINDER_QUEUE, ReminderJobName, type ReminderJob } from './reminder.queue';
import { SendReminderUseCase, type SendOutcome } from './usecases/send-reminder.usecase';

/**
 * The BullMQ worker: a reminder's job fires at its time and this hands it to SendReminderUseCase.
 * Created paused (autorun: false) and started once the app is up, with the configured
 * concurrency; closed (waiting for jobs in hand) before the database goes away at shutdown.
 */
@Processor(REMINDER_QUEUE, { autorun: false })
export class ReminderProcessor
  extends WorkerHost
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  constructor(
    private readonly sendReminder: SendReminderUseCase,
    @InjectConfig() private readonly config: NotificationsConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.REMINDER_WORKER_CONCURRENCY;
    this.worker.on('failed', (job, err) =>
      this.logger.warn({ err, reminderId: job?.id, attempts: job?.attemptsMade }, 'reminder job failed'),
    );
    this.worker.on('error', (err) => this.logger.error({ err }, 'reminder worker error'));
    this.worker.run().catch((err: unknown) => this.logger.error({ err }, 'reminder worker stopped'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.close();
  }

  async process(job: ReminderJob, token?: string): Promise<SendOutcome['kind']> {
    if (job.name !== ReminderJobName.Send) {
      throw new UnrecoverableError(`unknown job name "${String(job.name)}" on ${REMINDER_QUEUE}`);
    }
    const final = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let outcome: SendOutcome;
    try {
      outcome = await this.sendReminder.execute(job.data, { final });
    } catch (err) {
      reminderJobs.inc({ outcome: 'error' });
      throw err;
    }
    reminderJobs.inc({ outcome: outcome.kind });
    switch (outcome.kind) {
      case 'stale':
        // Re-anchored while its old job could not be removed: wait for the new time instead.
        await job.updateData({ ...job.data, scheduledFor: outcome.scheduledFor.toISOString() });
        await job.moveToDelayed(outcome.scheduledFor.getTime(), token);
        throw new DelayedError();
      case 'in_flight':
        // Another attempt holds the claim: come back when it expires (see SendReminderUseCase).
        await job.moveToDelayed(outcome.until.getTime(), token);
        throw new DelayedError();
      case 'unconfirmed':
      case 'superseded':
      case 'sent':
      case 'cancelled':
      case 'final':
        this.logger.info({ reminderId: job.data.reminderId, outcome }, 'reminder job done');
        return outcome.kind;
    }
  }
}
