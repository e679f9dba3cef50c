import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ReminderChannelsModule } from '../channels/reminder-channels.module';
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
  imports: [TypeOrmModule.forFeature([ReminderEntity]), ReminderChannelsModule],
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
  ],
  exports: [ReminderPlanner],
})
export class RemindersModule {}
