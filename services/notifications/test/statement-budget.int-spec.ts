import { InvoiceStatus, Topic } from '@duemap/events';
import { waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import {
  dayFromToday,
  invoiceChanged,
  invoiceIssued,
  invoicePaid,
  knownCustomer,
  startNotifications,
  watchConsumerTransactions,
  type ConsumedTransaction,
  type Notifications,
} from './harness';

// The statements of a consumer transaction, by their opening.
const LOCK = 'WITH released AS ( INSERT INTO invoice_payment_holds'; // the batch's invoices locked, with their customers
const SAVE = 'WITH t AS ( SELECT * FROM unnest'; // their new states, all in one
const INSERT_REMINDERS = 'INSERT INTO reminders';
const READ_REMINDERS = 'SELECT id, invoice_id, customer_id, policy_id, level';
const CANCEL = "UPDATE reminders r SET status = 'cancelled'";
const OUTBOX = 'INSERT INTO "outbox"';

/** The opening of a statement, whitespace folded (the outbox's, however libs/messaging writes it). */
const statementOf = (sql: string): string => {
  const folded = sql.replace(/\s+/g, ' ').trim();
  if (/^INSERT INTO "?outbox"?[ (]/.test(folded)) return OUTBOX;
  return [LOCK, SAVE, INSERT_REMINDERS, READ_REMINDERS, CANCEL].find((k) => folded.startsWith(k)) ?? folded;
};

/**
 * Round trips to Postgres are what the headline flow (a payment -> events -> reminders) spends its
 * CPU on, so the statements a consumer transaction sends are held here: a few per topic of the
 * transaction, the same for one event as for many.
 */
describe('notifications: SQL statements per consumer transaction', () => {
  let n: Notifications;
  let watch: ReturnType<typeof watchConsumerTransactions>;
  const customerId = randomUUID();
  const due = dayFromToday(10, 'Asia/Shanghai');

  /** Runs `act`, then the statements of the consumer transactions that handled `events` events. */
  async function measure(events: number, act: () => Promise<void>): Promise<ConsumedTransaction[]> {
    watch.reset();
    await act();
    return waitFor('the consumer transactions', () =>
      watch.transactions.reduce((sum, t) => sum + t.events, 0) >= events
        ? [...watch.transactions]
        : undefined,
    );
  }
  const enqueuedWhenAll = (invoiceIds: string[]) =>
    waitFor('the jobs recorded as enqueued', async () => {
      const rows = await n.db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM reminders WHERE invoice_id = ANY($1) AND job_enqueued_for = scheduled_for`,
        [invoiceIds],
      );
      return rows[0]?.n === 5 * invoiceIds.length ? true : undefined;
    });
  const statusWhen = (invoiceIds: string[], status: string) =>
    waitFor(`the projection ${status}`, async () => {
      const rows = await n.db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM invoices WHERE invoice_id = ANY($1) AND status = $2`,
        [invoiceIds, status],
      );
      return rows[0]?.n === invoiceIds.length ? true : undefined;
    });

  beforeAll(async () => {
    // No reconciler pass in between: it records jobs as enqueued too.
    n = await startNotifications({ REMINDER_RECONCILE_INTERVAL: '3600s' });
    watch = watchConsumerTransactions(n);
    await knownCustomer(n, customerId);
  });

  afterAll(async () => {
    await n?.close();
  });

  it('issued: 4 statements; partially paid (plan unchanged): 3; paid: 4 (one of them the outbox)', async () => {
    const invoiceId = randomUUID();
    const [issued] = await measure(1, async () => {
      await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));
    });
    await enqueuedWhenAll([invoiceId]);
    // Recording the jobs as enqueued: once per transaction, after commit.
    expect(watch.outside(/UPDATE reminders r SET job_enqueued_for/)).toBe(1);

    const [partlyPaid] = await measure(1, async () => {
      await n.publish(
        Topic.InvoiceChanged,
        invoiceChanged(customerId, invoiceId, due, {
          status: InvoiceStatus.PARTIALLY_PAID,
          openAmount: { amount: '130.00', currency: 'CNY' },
        }),
      );
    });
    const [paid] = await measure(1, async () => {
      await n.publish(Topic.InvoicePaid, invoicePaid(customerId, invoiceId, due));
    });

    expect(issued?.statements.map(statementOf)).toEqual([LOCK, SAVE, INSERT_REMINDERS, OUTBOX]);
    expect(partlyPaid?.statements.map(statementOf)).toEqual([LOCK, SAVE, READ_REMINDERS]);
    expect(paid?.statements.map(statementOf)).toEqual([LOCK, SAVE, CANCEL, OUTBOX]);
  });

  it('the same statements for 40 events of a topic delivered at once', async () => {
    const invoiceIds = Array.from({ length: 40 }, () => randomUUID());
    const issued = await measure(40, () =>
      n.publishAll(invoiceIds.map((id) => n.encode(Topic.InvoiceIssued, invoiceIssued(customerId, id, due)))),
    );
    await enqueuedWhenAll(invoiceIds);
    // However the consumer grouped them, each transaction costs what one event costs.
    for (const t of issued)
      expect(t.statements.map(statementOf)).toEqual([LOCK, SAVE, INSERT_REMINDERS, OUTBOX]);
    expect(watch.outside(/UPDATE reminders r SET job_enqueued_for/)).toBe(issued.length);

    const paid = await measure(40, () =>
      n.publishAll(invoiceIds.map((id) => n.encode(Topic.InvoicePaid, invoicePaid(customerId, id, due)))),
    );
    await statusWhen(invoiceIds, 'paid');
    for (const t of paid) expect(t.statements.map(statementOf)).toEqual([LOCK, SAVE, CANCEL, OUTBOX]);
    console.log(
      `40 issued in ${issued.length} transaction(s), 40 paid in ${paid.length}: ` +
        `${[...issued, ...paid].reduce((sum, t) => sum + t.statements.length, 0) / 80} statements per event`,
    );
  });
});
