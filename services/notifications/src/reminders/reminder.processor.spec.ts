import { DelayedError, UnrecoverableError } from 'bullmq';
import type { Logger } from 'pino';
import type { NotificationsConfig } from '../config';
import { ReminderProcessor } from './reminder.processor';
import type { ReminderJob } from './reminder.queue';
import type { SendReminderUseCase } from './usecases/send-reminder.usecase';

const SCHEDULED_FOR = '2025-03-27T01:00:00.000Z';

function setup(outcome: Awaited<ReturnType<SendReminderUseCase['execute']>>) {
  const sendReminder = { execute: jest.fn().mockResolvedValue(outcome) };
  const processor = new ReminderProcessor(
    sendReminder as unknown as SendReminderUseCase,
    { REMINDER_WORKER_CONCURRENCY: 3 } as NotificationsConfig,
    { info: jest.fn(), warn: jest.fn(), error: jest.fn() } as unknown as Logger,
  );
  const job = {
    name: 'send-reminder',
    data: { reminderId: 'r-1', scheduledFor: SCHEDULED_FOR },
    attemptsMade: 0,
    opts: { attempts: 3 },
    updateData: jest.fn(),
    moveToDelayed: jest.fn(),
  };
  return { processor, sendReminder, job };
}

describe('ReminderProcessor', () => {
  it('hands the job to SendReminderUseCase and reports the outcome', async () => {
    const { processor, sendReminder, job } = setup({ kind: 'sent', channelMessageId: 'm-1' });
    await expect(processor.process(job as unknown as ReminderJob, 'token')).resolves.toBe('sent');
    expect(sendReminder.execute).toHaveBeenCalledWith(job.data, { final: false });
  });

  it('marks the last attempt as final, so a channel failure then cancels the reminder', async () => {
    const { processor, sendReminder, job } = setup({ kind: 'cancelled', reason: 'delivery_failed' });
    job.attemptsMade = 2;
    await processor.process(job as unknown as ReminderJob, 'token');
    expect(sendReminder.execute).toHaveBeenCalledWith(job.data, { final: true });
  });

  it('moves a stale job (its reminder was re-anchored) to the new time instead of sending', async () => {
    const later = new Date('2025-04-06T01:00:00Z');
    const { processor, job } = setup({ kind: 'stale', scheduledFor: later });
    await expect(processor.process(job as unknown as ReminderJob, 'token')).rejects.toBeInstanceOf(
      DelayedError,
    );
    expect(job.updateData).toHaveBeenCalledWith({ reminderId: 'r-1', scheduledFor: later.toISOString() });
    expect(job.moveToDelayed).toHaveBeenCalledWith(later.getTime(), 'token');
  });

  it('puts off a job whose reminder another attempt is sending until that claim expires', async () => {
    const until = new Date('2025-03-27T01:00:30Z');
    const { processor, job } = setup({ kind: 'in_flight', until });
    await expect(processor.process(job as unknown as ReminderJob, 'token')).rejects.toBeInstanceOf(
      DelayedError,
    );
    expect(job.moveToDelayed).toHaveBeenCalledWith(until.getTime(), 'token');
    expect(job.updateData).not.toHaveBeenCalled();
  });

  it('refuses a job name it does not know without retrying it', async () => {
    const { processor, sendReminder, job } = setup({ kind: 'final', status: 'sent' });
    job.name = 'something-else';
    await expect(processor.process(job as unknown as ReminderJob, 'token')).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(sendReminder.execute).not.toHaveBeenCalled();
  });
});
