import { Topic } from '@duemap/events';
import { testEnv, waitFor } from '@duemap/testing';
import { getQueueToken } from '@nestjs/bullmq';
import IORedis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { REMINDER_QUEUE, type ReminderQueue } from '../src/reminders/reminder.queue';
import {
  dayFromToday,
  invoiceIssued,
  knownCustomer,
  remindersWhen,
  startNotifications,
  type Notifications,
  type Reminder,
} from './harness';

/**
 * Redis keeps nothing on disk here: a restart or a FLUSHALL loses every reminder job while
 * Postgres still says they are enqueued. The service must put them back at once, not when the
 * first of them is long overdue.
 */
describe('notifications: reminder jobs after Redis lost them', () => {
  let n: Notifications;
  let redis: IORedis;
  const customerId = randomUUID();

  /** The queue's key prefix (QUEUE_PREFIX of this spec's service). */
  const prefix = (): string => n.queue.opts.prefix ?? '';
  const jobsBack = (list: Reminder[]) =>
    waitFor(
      'every job back in Redis',
      async () => {
        const jobs = await Promise.all(list.map((r) => n.queue.getJob(r.id)));
        return jobs.every((j, i) => j?.data.scheduledFor === list[i]?.scheduledFor) ? jobs : undefined;
      },
      { timeoutMs: 10_000 },
    );

  /** An issued invoice's five reminders, scheduled, their jobs in Redis and marked enqueued. */
  const scheduled = async (): Promise<{ invoiceId: string; list: Reminder[] }> => {
    const invoiceId = randomUUID();
    await n.publish(
      Topic.InvoiceIssued,
      invoiceIssued(customerId, invoiceId, dayFromToday(10, 'Asia/Shanghai')),
    );
    const list = await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    await waitFor('the five marked enqueued', async () => {
      const [row] = await n.db.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM reminders WHERE invoice_id = $1 AND job_enqueued_for = scheduled_for`,
        [invoiceId],
      );
      return Number(row?.n) === 5 ? true : undefined;
    });
    return { invoiceId, list };
  };

  beforeAll(async () => {
    redis = new IORedis(testEnv.redisUrl);
    n = await startNotifications({ REMINDER_RECONCILE_INTERVAL: '300ms' });
    await knownCustomer(n, customerId);
  });

  afterAll(async () => {
    await n?.close();
    redis?.disconnect();
  });

  it("puts every job back within seconds after the queue's keys are wiped (a FLUSHALL as the queue sees it)", async () => {
    const { invoiceId, list } = await scheduled();
    // One of them already due (its job about to fire when Redis lost it).
    const due = list[0]!;
    const past = new Date(Date.now() - 60_000).toISOString();
    await n.db.query(`UPDATE reminders SET scheduled_for = $2, job_enqueued_for = $2 WHERE id = $1`, [
      due.id,
      past,
    ]);
    const keys = await redis.keys(`${prefix()}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);

    await jobsBack(list.slice(1));
    await remindersWhen(n, invoiceId, 'the due one sent', (r) => r[0]?.status === 'sent');
  });

  it('re-adds the near-future and overdue jobs when its Redis connection comes back', async () => {
    const { invoiceId, list } = await scheduled();
    const due = list[0]!;
    const past = new Date(Date.now() - 60_000).toISOString();
    await n.db.query(`UPDATE reminders SET scheduled_for = $2, job_enqueued_for = $2 WHERE id = $1`, [
      due.id,
      past,
    ]);
    // Lost without the rest of Redis (a failover to a replica that missed it): the sentinel stays.
    await n.queue.remove(due.id);
    const queue = n.app.app.get<ReminderQueue>(getQueueToken(REMINDER_QUEUE));
    // BullMQ types its client by its own interface; on one server it is an ioredis Redis.
    const client = (await queue.client) as unknown as IORedis;
    const id = await client.client('ID');
    await redis.client('KILL', 'ID', String(id));

    await remindersWhen(n, invoiceId, 'the due one sent', (r) => r[0]?.status === 'sent');
  });
});
