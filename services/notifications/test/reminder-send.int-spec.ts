import { Topic } from '@duemap/events';
import { waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import { ReminderJobName } from '../src/reminders/reminder.queue';
import {
  dayFromToday,
  invoiceIssued,
  invoicePaid,
  knownCustomer,
  remindersWhen,
  startNotifications,
  type Notifications,
  type Reminder,
} from './harness';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

const SEND_TIMEOUT_MS = 8000;

/**
 * Reminders go out through the webhook channel to a receiver this spec controls: one that hangs,
 * one that answers late, and what a crash between the send and its record leaves behind.
 */
describe('notifications: sending reminders through a channel that hangs or a worker that crashes', () => {
  let n: Notifications;
  let receiver: WebhookReceiver;
  const customerId = randomUUID();

  const sentEvents = (invoiceId: string) =>
    n.events.filter(
      (e) => e.topic === Topic.ReminderSent && (e.event as { invoiceId: string }).invoiceId === invoiceId,
    );
  const requestsFor = (reminderId: string) =>
    receiver.requests.filter(
      (r) => (r.body as { reminderId?: string } | undefined)?.reminderId === reminderId,
    );

  /** An issued invoice whose five reminders are scheduled, with their jobs in Redis. */
  const scheduledInvoice = async (): Promise<{ invoiceId: string; due: string; list: Reminder[] }> => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));
    const list = await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    await waitFor('the jobs in Redis', async () =>
      (await Promise.all(list.map((r) => n.queue.getJob(r.id)))).every(Boolean) ? true : undefined,
    );
    return { invoiceId, due, list };
  };

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    n = await startNotifications({
      REMINDER_WEBHOOK_URL: receiver.url,
      // The receiver is on 127.0.0.1, which outbound URLs may reach only when allowed.
      OUTBOUND_ALLOW_HOSTS: '127.0.0.1',
      REMINDER_SEND_TIMEOUT: `${SEND_TIMEOUT_MS}ms`,
      REMINDER_RETRY_DELAY: '100ms',
      REMINDER_RECONCILE_INTERVAL: '300ms',
      // The record step of the crash test gives up fast on the row the spec holds.
      DATABASE_LOCK_TIMEOUT: '1s',
    });
    await knownCustomer(n, customerId);
  });

  afterAll(async () => {
    await n?.close();
    await receiver?.close();
  });

  it("applies a payment's cancellations while a reminder of the invoice hangs in the channel; the hung send times out and the retry cancels it", async () => {
    receiver.answer = () => 'hang';
    const { invoiceId, due, list } = await scheduledInvoice();
    const [first] = list;
    await (await n.queue.getJob(first!.id))!.promote();
    const [request] = await waitFor('the webhook request in flight', () => {
      const r = requestsFor(first!.id);
      return r.length > 0 ? r : undefined;
    });

    await n.publish(Topic.InvoicePaid, invoicePaid(customerId, invoiceId, due));
    await remindersWhen(n, invoiceId, 'the other levels cancelled', (r) =>
      r.slice(1).every((x) => x.status === 'cancelled'),
    );
    // Applied while the send still hung: the consumer did not wait for the channel.
    expect(Date.now() - request!.receivedAt).toBeLessThan(SEND_TIMEOUT_MS);

    const after = await remindersWhen(n, invoiceId, 'the hung one cancelled after its timeout', (r) =>
      r.every((x) => x.status === 'cancelled'),
    );
    expect(new Set(after.map((r) => r.reason))).toEqual(new Set(['invoice_paid']));
    expect(requestsFor(first!.id)).toHaveLength(1);
    expect(sentEvents(invoiceId)).toEqual([]);
  });

  it('sends nothing when its time comes while a payment that settles the invoice is known only from payment-received (the send step reads the hold)', async () => {
    receiver.answer = (_, index) => ({ status: 202, body: { id: `wh-${index}` } });
    const { invoiceId, list } = await scheduledInvoice();
    const [first] = list;
    // The payment's hold, as payment-received records it (ADR 0030), but before anything re-planned
    // the reminders: the state a send finds when its time and the payment arrive together.
    await n.db.query(
      `INSERT INTO invoice_payment_holds (invoice_id, payment_id, settles) VALUES ($1, $2, true)`,
      [invoiceId, randomUUID()],
    );
    await (await n.queue.getJob(first!.id))!.promote();
    const after = await remindersWhen(
      n,
      invoiceId,
      'level 1 cancelled at its send',
      (r) => r[0]?.status === 'cancelled',
    );
    expect(after[0]).toMatchObject({ status: 'cancelled', reason: 'invoice_paid', sentAt: null });
    expect(requestsFor(first!.id)).toEqual([]);
    expect(sentEvents(invoiceId)).toEqual([]);
  });

  it('retries a send that timed out with the same Idempotency-Key and records it sent once', async () => {
    receiver.answer = (request) =>
      requestsFor((request.body as { reminderId: string }).reminderId).length === 1
        ? 'hang'
        : { status: 202, body: { id: 'accepted-on-retry' } };
    const { invoiceId, list } = await scheduledInvoice();
    const [first] = list;
    await (await n.queue.getJob(first!.id))!.promote();

    const after = await remindersWhen(n, invoiceId, 'level 1 sent', (r) => r[0]?.status === 'sent');
    expect(after.slice(1).every((r) => r.status === 'scheduled')).toBe(true);
    const tries = requestsFor(first!.id);
    expect(tries).toHaveLength(2);
    expect(tries.map((t) => t.headers['idempotency-key'])).toEqual([first!.id, first!.id]);
    const [sent] = await waitFor('reminder-sent', () => {
      const e = sentEvents(invoiceId);
      return e.length > 0 ? e : undefined;
    });
    expect(sent?.event).toMatchObject({ reminderId: first!.id, channelMessageId: 'accepted-on-retry' });
    expect(sentEvents(invoiceId)).toHaveLength(1);
  });

  it('when the outcome of a delivered send cannot be recorded, sends again only after the claim expired, with the same Idempotency-Key, and records it once', async () => {
    const { invoiceId, list } = await scheduledInvoice();
    const [first] = list;
    const holder = n.db.createQueryRunner();
    try {
      // The first try is delivered, but its record step finds the row held (by this spec, as by a
      // worker that died right after the send): it times out, and the claim stays.
      receiver.answer = async () => {
        if (requestsFor(first!.id).length > 1) return { status: 202, body: { id: 'second-try' } };
        await holder.startTransaction();
        await holder.query(`SELECT 1 FROM reminders WHERE id = $1 FOR UPDATE`, [first!.id]);
        return { status: 202, body: { id: 'first-try' } };
      };
      await (await n.queue.getJob(first!.id))!.promote();
      await waitFor('the record step to fail', () =>
        n.logs.some((l) => l.msg === 'reminder job failed' && l.reminderId === first!.id) ? true : undefined,
      );
      await holder.commitTransaction();
      expect((await remindersWhen(n, invoiceId, 'listed', () => true))[0]?.status).toBe('sending');

      await remindersWhen(n, invoiceId, 'level 1 sent', (r) => r[0]?.status === 'sent');
      const tries = requestsFor(first!.id);
      expect(tries.map((t) => t.headers['idempotency-key'])).toEqual([first!.id, first!.id]);
      // Not before the first try's claim expired (twice the send timeout after it was taken).
      expect(tries[1]!.receivedAt - tries[0]!.receivedAt).toBeGreaterThan(2 * SEND_TIMEOUT_MS - 1000);
      const [sent] = await waitFor('reminder-sent', () => {
        const e = sentEvents(invoiceId);
        return e.length > 0 ? e : undefined;
      });
      expect(sent?.event).toMatchObject({ reminderId: first!.id, channelMessageId: 'second-try' });
      expect(sentEvents(invoiceId)).toHaveLength(1);
    } finally {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    }
  });

  it('after a crash between send and record, sends again only with the same Idempotency-Key and records it once', async () => {
    receiver.answer = () => ({ status: 202, body: { id: 'after-crash' } });
    const { invoiceId, list } = await scheduledInvoice();
    const [first] = list;
    // What a worker that died after its claim leaves: the row claimed long ago, its job back in
    // the queue (BullMQ hands a stalled job to the next worker).
    await n.db.query(
      `UPDATE reminders SET status = 'sending', attempt_id = $2, claimed_at = now() - interval '1 hour'
        WHERE id = $1`,
      [first!.id, randomUUID()],
    );
    await (await n.queue.getJob(first!.id))!.promote();

    await remindersWhen(n, invoiceId, 'level 1 sent', (r) => r[0]?.status === 'sent');
    expect(requestsFor(first!.id).map((t) => t.headers['idempotency-key'])).toEqual([first!.id]);
    await waitFor('reminder-sent', () => (sentEvents(invoiceId).length > 0 ? true : undefined));
    expect(sentEvents(invoiceId)).toHaveLength(1);
  });

  it('leaves a reminder whose claim is fresh to the attempt that holds it: its job waits for the claim to expire', async () => {
    const { invoiceId, list } = await scheduledInvoice();
    const [first] = list;
    await n.db.query(
      `UPDATE reminders SET status = 'sending', attempt_id = $2, claimed_at = now() WHERE id = $1`,
      [first!.id, randomUUID()],
    );
    await n.queue.remove(first!.id);
    await n.queue.add(
      ReminderJobName.Send,
      { reminderId: first!.id, scheduledFor: first!.scheduledFor },
      { jobId: first!.id, removeOnComplete: true },
    );
    // Added without a delay: found delayed, the worker has seen it and put it off.
    await waitFor('the job delayed until the claim expires', async () => {
      const j = await n.queue.getJob(first!.id);
      return j !== undefined && (await j.getState()) === 'delayed' ? true : undefined;
    });
    expect((await remindersWhen(n, invoiceId, 'listed', () => true))[0]?.status).toBe('sending');
    expect(requestsFor(first!.id)).toEqual([]);
    expect(sentEvents(invoiceId)).toEqual([]);
  });
});
