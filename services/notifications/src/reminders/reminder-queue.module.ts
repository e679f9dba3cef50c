import { BullModule, getQueueToken } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { READINESS_CHECKS } from '@duemap/observability';
import type { Queue } from 'bullmq';
import { REMINDER_QUEUE } from './reminder.queue';

const reminderQueue = BullModule.registerQueue({ name: REMINDER_QUEUE });

/** Answers within the health check's budget whether Redis (the reminders' queue) is reachable. */
export function redisReadiness(queue: Queue, timeoutMs = 1500): () => Promise<HealthIndicatorResult> {
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      });
      // IRedisClient (BullMQ's client abstraction) has no PING; a GET of a missing key is as cheap.
      await Promise.race([queue.client.then((client) => client.get('duemap:health-probe')), timeout]);
      return { redis: { status: 'up' } };
    } catch (err) {
      return { redis: { status: 'down', message: err instanceof Error ? err.message : String(err) } };
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The reminders' queue, global so /health (in the platform's observability module) can ping
 * Redis through it as a readiness check.
 */
@Global()
@Module({
  imports: [reminderQueue],
  providers: [
    {
      provide: READINESS_CHECKS,
      inject: [getQueueToken(REMINDER_QUEUE)],
      useFactory: (queue: Queue) => [redisReadiness(queue)],
    },
  ],
  exports: [reminderQueue, READINESS_CHECKS],
})
export class ReminderQueueModule {}
