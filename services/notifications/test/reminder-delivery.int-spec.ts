import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { InvoiceStatus, ReminderChannel, Topic } from '@duemap/events';
import { waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import { ReminderJobs } from '../src/reminders/reminder-jobs';
import { ReminderJobName } from '../src/reminders/reminder.queue';
import {
  dayFromToday,
  invoiceChanged,
  invoiceIssued,
  invoicePaid,
  knownCustomer,
  reminders,
  remindersWhen,
  startNotifications,
  type Notifications,
} from './harness';

describe('notifications: sending reminders when their time comes', () => {
  let n: Notifications;
  const customerId = randomUUID();

  const jobsPresent = (ids: string[]) =>
    waitFor('the jobs in Redis', async () =>
      (await Promise.all(ids.map((id) => n.queue.getJob(id)))).every(Boolean) ? true : undefined,
    );
  const jobGone = (id: string) =>
    waitFor(`job ${id} processed and gone`, async () =>
      (await n.queue.getJob(id)) === undefined ? true : undefined,
    );
  const sentEvents = (invoiceId: string) =>
    n.events.filter(
      (e) => e.topic === Topic.ReminderSent && (e.event as { invoiceId: string }).invoiceId === invoiceId,
    );
  const deliveries = (invoiceId: string) =>
    n.logs.filter((l) => l.msg === 'reminder delivered' && l.invoiceId === invoiceId);

  beforeAll(async () => {
    n = await startNotifications({ REMINDER_RECONCILE_INTERVAL: '300ms', REMINDER_WORKER_CONCURRENCY: '2' });
    await knownCustomer(n, customerId);
  });

  afterAll(async () => {
    await n?.close();
  });

  it('sends a reminder whose time has come while the invoice is open: log channel, sent, reminder-sent', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    await n.publish(
      Topic.InvoiceIssued,
      invoiceIssued(customerId, invoiceId, due, { number: 'INV-2025-0042' }),
    );
    const list = await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    const [first] = list;
    await jobsPresent(list.map((r) => r.id));

    // Its time comes now rather than in a week: the delayed job becomes due at once.
    await (await n.queue.getJob(first!.id))!.promote();

    const after = await remindersWhen(n, invoiceId, 'level 1 sent', (r) => r[0]?.status === 'sent');
    expect(after[0]?.sentAt).not.toBeNull();
    expect(after.slice(1).every((r) => r.status === 'scheduled')).toBe(true);
    const [sent] = await waitFor('reminder-sent', () => {
      const e = sentEvents(invoiceId);
      return e.length > 0 ? e : undefined;
    });
    expect(sent?.key).toBe(customerId);
    expect(sent?.event).toMatchObject({
      reminderId: first!.id,
      level: 1,
      channel: ReminderChannel.EMAIL,
      channelMessageId: `log:${first!.id}`,
    });
    const [y, m, d] = due.split('-').map(Number);
    expect(deliveries(invoiceId)).toEqual([
      expect.objectContaining({
        channel: 'log',
        reminderId: first!.id,
        locale: 'zh-CN',
        subject: `付款提醒：发票 INV-2025-0042 将于 ${y}年${m}月${d}日 到期`,
        body: expect.stringContaining('未付金额为 ¥1,130.00') as unknown,
      }),
    ]);
    await jobGone(first!.id);

    // The same job once more (a retry, a re-added job): nothing is sent twice.
    await n.queue.add(
      ReminderJobName.Send,
      { reminderId: first!.id, scheduledFor: first!.scheduledFor },
      { jobId: first!.id, removeOnComplete: true },
    );
    await jobGone(first!.id);
    expect(sentEvents(invoiceId)).toHaveLength(1);
    expect(deliveries(invoiceId)).toHaveLength(1);
  });

  it('does not send a reminder for an invoice that was paid before its time, even if its job fires', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));
    const list = await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    await jobsPresent(list.map((r) => r.id));

    // Invoicing reports the payment first through invoice-changed (status PAID, nothing open).
    await n.publish(
      Topic.InvoiceChanged,
      invoiceChanged(customerId, invoiceId, due, {
        occurredAt: timestampFromDate(new Date(Date.now() + 1000)),
        status: InvoiceStatus.PAID,
        openAmount: { amount: '0.00', currency: 'CNY' },
      }),
    );
    const cancelled = await remindersWhen(n, invoiceId, 'all cancelled', (r) =>
      r.every((x) => x.status === 'cancelled'),
    );
    expect(new Set(cancelled.map((r) => r.reason))).toEqual(new Set(['invoice_paid']));
    for (const r of list) await jobGone(r.id);

    // The reminder's time comes anyway: its job fires (as one that escaped removal would).
    const [first] = list;
    await n.queue.add(
      ReminderJobName.Send,
      { reminderId: first!.id, scheduledFor: first!.scheduledFor },
      { jobId: first!.id, removeOnComplete: true },
    );
    await jobGone(first!.id);
    // invoice-paid arrives after: nothing more to cancel, nothing sent.
    await n.publish(Topic.InvoicePaid, invoicePaid(customerId, invoiceId, due));
    const marker = randomUUID();
    await n.publish(Topic.InvoicePaid, invoicePaid(customerId, marker, due));
    await waitFor('invoice-paid handled', async () =>
      (await n.db.query<unknown[]>(`SELECT 1 FROM invoices WHERE invoice_id = $1`, [marker])).length
        ? true
        : undefined,
    );
    expect((await reminders(n, invoiceId)).map((r) => r.status)).toEqual(Array(5).fill('cancelled'));
    expect(sentEvents(invoiceId)).toEqual([]);
    expect(deliveries(invoiceId)).toEqual([]);
    expect(
      n.events.filter(
        (e) =>
          e.topic === Topic.ReminderCancelled && (e.event as { invoiceId: string }).invoiceId === invoiceId,
      ),
    ).toHaveLength(5);
  });

  it('moves a job that fires for an old time (re-anchored meanwhile) to the new time instead of sending', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));
    const list = await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    await jobsPresent(list.map((r) => r.id));
    const [first] = list;
    // A re-anchoring whose job could not be replaced (a worker held it): the row moved, the job did not.
    const later = new Date(Date.parse(first!.scheduledFor) + 86_400_000).toISOString();
    await n.db.query(`UPDATE reminders SET scheduled_for = $2, job_enqueued_for = $2 WHERE id = $1`, [
      first!.id,
      later,
    ]);
    await (await n.queue.getJob(first!.id))!.promote();

    const moved = await waitFor('the job delayed to the new time', async () => {
      const job = await n.queue.getJob(first!.id);
      return job?.data.scheduledFor === later && (await job.getState()) === 'delayed' ? job : undefined;
    });
    expect(moved.data).toEqual({ reminderId: first!.id, scheduledFor: later });
    expect((await reminders(n, invoiceId))[0]).toMatchObject({
      id: first!.id,
      status: 'scheduled',
      scheduledFor: later,
    });
    expect(sentEvents(invoiceId)).toEqual([]);
    expect(deliveries(invoiceId)).toEqual([]);
  });

  it('re-adds a job lost between the commit and the queue (the reconciler)', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));
    const list = await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    await jobsPresent(list.map((r) => r.id));
    const lost = list[2]!;
    // What a crash right after the commit leaves: a scheduled row, no job, not marked enqueued.
    await n.queue.remove(lost.id);
    await n.db.query(`UPDATE reminders SET job_enqueued_for = NULL WHERE id = $1`, [lost.id]);
    expect(await n.queue.getJob(lost.id)).toBeUndefined();

    const job = await waitFor('the job re-added', async () => n.queue.getJob(lost.id));
    expect(job.data).toEqual({ reminderId: lost.id, scheduledFor: lost.scheduledFor });
    expect(await job.getState()).toBe('delayed');
    await waitFor('the row marked enqueued again', async () => {
      const [row] = await n.db.query<{ job_enqueued_for: Date | null }[]>(
        `SELECT job_enqueued_for FROM reminders WHERE id = $1`,
        [lost.id],
      );
      return row?.job_enqueued_for?.toISOString() === lost.scheduledFor ? true : undefined;
    });
  });

  it('marks jobs enqueued without waiting for a reminder another transaction holds; the reconciler marks it later', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(12, 'Asia/Shanghai');
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));
    const list = await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    await jobsPresent(list.map((r) => r.id));
    const [held, free] = [list[0]!, list[1]!];
    await n.db.query(`UPDATE reminders SET job_enqueued_for = NULL WHERE id = ANY($1::uuid[])`, [
      [held.id, free.id],
    ]);
    const enqueuedFor = async (id: string): Promise<string | undefined> => {
      const [row] = await n.db.query<{ job_enqueued_for: Date | null }[]>(
        `SELECT job_enqueued_for FROM reminders WHERE id = $1`,
        [id],
      );
      return row?.job_enqueued_for?.toISOString();
    };

    const holder = n.db.createQueryRunner();
    await holder.startTransaction();
    try {
      await holder.query(`SELECT 1 FROM reminders WHERE id = $1 FOR UPDATE`, [held.id]);
      const targets = [held, free].map((r) => ({ id: r.id, scheduledFor: new Date(r.scheduledFor) }));
      const outcome = await Promise.race([
        n.app.app.get(ReminderJobs).ensureAll(targets),
        new Promise<'waited'>((resolve) => setTimeout(() => resolve('waited'), 3000)),
      ]);
      expect(outcome).toEqual(['present', 'present']);
      expect(await enqueuedFor(free.id)).toBe(free.scheduledFor);
      expect(await enqueuedFor(held.id)).toBeUndefined();
    } finally {
      await holder.commitTransaction();
      await holder.release();
    }
    await waitFor('the held reminder marked by the reconciler', async () =>
      (await enqueuedFor(held.id)) === held.scheduledFor ? true : undefined,
    );
  });

  it('after a crash between send and record, does not send again on the log channel: the reminder is unconfirmed', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));
    const list = await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    await jobsPresent(list.map((r) => r.id));
    const [first] = list;
    // What a worker that died after its send leaves: the claim, long expired, and the job handed
    // to the next worker (BullMQ moves a stalled job back to wait).
    await n.db.query(
      `UPDATE reminders SET status = 'sending', attempt_id = $2, claimed_at = now() - interval '1 hour'
        WHERE id = $1`,
      [first!.id, randomUUID()],
    );
    await (await n.queue.getJob(first!.id))!.promote();

    const after = await remindersWhen(
      n,
      invoiceId,
      'level 1 unconfirmed',
      (r) => r[0]?.status === 'unconfirmed',
    );
    expect(after[0]).toMatchObject({ reason: 'delivery_unconfirmed', sentAt: null });
    expect(after.slice(1).every((r) => r.status === 'scheduled')).toBe(true);
    expect(
      n.logs.filter((l) => l.reminderId === first!.id && /unconfirmed/.test(String(l.msg))),
    ).toHaveLength(1);
    // The job once more (the reconciler, which also looks at expired claims, may add it again):
    // still nothing sent.
    await n.queue.remove(first!.id);
    await n.queue.add(
      ReminderJobName.Send,
      { reminderId: first!.id, scheduledFor: first!.scheduledFor },
      { jobId: first!.id, removeOnComplete: true },
    );
    await jobGone(first!.id);
    expect(deliveries(invoiceId)).toEqual([]);
    expect(sentEvents(invoiceId)).toEqual([]);
    expect((await reminders(n, invoiceId))[0]?.status).toBe('unconfirmed');
  });

  it('reports Redis on /health', async () => {
    const res = await n.get<{ status: string; info: Record<string, { status: string }> }>('/health');
    expect(res.status).toBe(200);
    expect(res.body.info.redis).toEqual({ status: 'up' });
  });
});
