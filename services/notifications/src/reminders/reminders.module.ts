import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LogChannel } from '../channels/log.channel';
import { REMINDER_CHANNEL, type ReminderChannel } from '../channels/reminder-channel';
import { WebhookChannel } from '../channels/webhook.channel';
import { CONFIG } from '@duemap/config';
import { checkOutboundUrl, parseHostList } from '@duemap/http';
import type { NotificationsConfig } from '../config';
import { ReminderJobs } from './reminder-jobs';
import { ReminderPlanner } from './reminder-planner';
import { ReminderProcessor } from './reminder.processor';
import { ReminderReconciler } from './reminder-reconciler';
import { ReminderEntity } from './reminder.entity';
import { ReminderRepository } from './reminder.repository';
import { RemindersController } from './reminders.controller';
import { ListRemindersUseCase } from './usecases/list-reminders.usecase';
import { ReconcileReminderJobsUseCase } from './usecases/reconcile-reminder-jobs.usecase';
import { SendReminderUseCase } from './usecases/send-reminder.usecase';

/** Reminder schedules: planning, their jobs, the worker that sends them, and the HTTP read side. */
@Module({
  imports: [TypeOrmModule.forFeature([ReminderEntity])],
  controllers: [RemindersController],
  providers: [
    ReminderJobs,
    ReminderRepository,
    ReminderPlanner,
    SendReminderUseCase,
    ReconcileReminderJobsUseCase,
    ListRemindersUseCase,
    ReminderProcessor,
    ReminderReconciler,
    LogChannel,
    // The webhook when one is configured, else the log (email over SMTP will join them); the
    // worker only knows the interface.
    {
      provide: REMINDER_CHANNEL,
      inject: [CONFIG, LogChannel],
      // A URL aimed at an internal address fails the boot rather than the first reminder.
      useFactory: async (config: NotificationsConfig, log: LogChannel): Promise<ReminderChannel> => {
        if (config.REMINDER_WEBHOOK_URL === undefined) return log;
        const outbound = {
          allowPrivate: config.OUTBOUND_ALLOW_PRIVATE,
          allowHosts: parseHostList(config.OUTBOUND_ALLOW_HOSTS),
        };
        await checkOutboundUrl(config.REMINDER_WEBHOOK_URL, outbound);
        return new WebhookChannel({
          url: config.REMINDER_WEBHOOK_URL,
          timeoutMs: config.REMINDER_SEND_TIMEOUT,
          outbound,
        });
      },
    },
  ],
  exports: [ReminderPlanner],
})
export class RemindersModule {}
