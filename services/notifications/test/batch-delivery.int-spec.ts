import {
  CancellationReason,
  InvoiceStatus,
  Topic,
  type EncodedRecord,
  type EventOf,
  type TopicName,
} from '@duemap/events';
import { dlqTopic } from '@duemap/events';
import { collectMessages, testKafka, waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import {
  dayFromToday,
  invoiceChanged,
  invoiceIssued,
  invoicePaid,
  knownCustomer,
  startNotifications,
  watchConsumerTransactions,
  type Notifications,
} from './harness';

/** 09:00 in Shanghai (UTC+8, no DST) on `dueDate` + `days`. */
const nineInShanghai = (dueDate: string, days: number): string => {
  const [y, m, d] = dueDate.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days, 1, 0)).toISOString();
};
const OFFSETS = [-3, 0, 7, 14, 30];

interface Row {
  id: string;
  invoice_id: string;
  level: number;
  status: string;
  reason: string | null;
  scheduled_for: Date;
  cancelled_at: Date | null;
}

/**
 * Many invoicing events delivered at once: the consumer applies them in a few transactions of
 * many events each (subscribeBatch), and the outcome must be exactly what handling them one by one
 * gives — several events of one invoice in one batch included, each seeing the one before.
 */
describe('notifications: many invoicing events in one go', () => {
  let n: Notifications;
  let watch: ReturnType<typeof watchConsumerTransactions>;
  const customers = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
  const customerOf = (i: number): string => customers[i % customers.length] as string;
  const due10 = dayFromToday(10, 'Asia/Shanghai');
  const due20 = dayFromToday(20, 'Asia/Shanghai');

  const rowsOf = async (invoiceIds: string[]): Promise<Map<string, Row[]>> => {
    const rows = await n.db.query<Row[]>(
      `SELECT id, invoice_id, level, status, reason, scheduled_for, cancelled_at FROM reminders
        WHERE invoice_id = ANY($1) ORDER BY invoice_id, level`,
      [invoiceIds],
    );
    const byInvoice = new Map<string, Row[]>(invoiceIds.map((id) => [id, []]));
    for (const r of rows) byInvoice.get(r.invoice_id)?.push(r);
    return byInvoice;
  };
  const eventsOf = <T extends (typeof n.events)[number]['topic']>(topic: T, invoiceId: string) =>
    n.events
      .filter((e) => e.topic === topic && (e.event as { invoiceId: string }).invoiceId === invoiceId)
      .map((e) => e.event as EventOf<T>);
  const isoOf = (t: { seconds: bigint } | undefined): string =>
    new Date(Number(t?.seconds ?? 0n) * 1000).toISOString();

  beforeAll(async () => {
    // No reconciler pass in between: it would add statements of its own.
    n = await startNotifications({ REMINDER_RECONCILE_INTERVAL: '3600s' });
    watch = watchConsumerTransactions(n);
    for (const c of customers) await knownCustomer(n, c);
  });

  afterAll(async () => {
    await n?.close();
  });

  it('applies 136 events in a few transactions, as one-by-one handling would', async () => {
    const now = Date.now();
    const at = (ms: number) => ({ occurredAt: new Date(now + ms) });

    // Invoices already planned before the batch: it pays 20 of them; 10 also get a late change.
    const known = Array.from({ length: 20 }, () => randomUUID());
    await n.publishAll(
      known.map((id, i) => n.encode(Topic.InvoiceIssued, invoiceIssued(customerOf(i), id, due10), at(0))),
    );
    await waitFor('the known invoices planned, their jobs in Redis', async () => {
      const rows = await n.db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM reminders
          WHERE invoice_id = ANY($1) AND status = 'scheduled' AND job_enqueued_for = scheduled_for`,
        [known],
      );
      return rows[0]?.n === 100 ? true : undefined;
    });
    await waitFor('their reminder-scheduled events', () =>
      known.every((id) => eventsOf(Topic.ReminderScheduled, id).length === 5) ? true : undefined,
    );

    // A: new invoices seen first through invoice-changed, re-anchored by a second change in the
    // same batch, and the first 15 paid by a third (invoice-changed status PAID).
    const moved = Array.from({ length: 30 }, () => randomUUID());
    const paidInBatch = moved.slice(0, 15);
    // B: new invoices, issued (one record delivered twice).
    const issued = Array.from({ length: 30 }, () => randomUUID());
    const records: EncodedRecord<TopicName>[] = [
      ...moved.map((id, i) =>
        n.encode(Topic.InvoiceChanged, invoiceChanged(customerOf(i), id, due10), at(1000)),
      ),
      ...issued.map((id, i) =>
        n.encode(Topic.InvoiceIssued, invoiceIssued(customerOf(i), id, due10), at(1000)),
      ),
      ...moved.map((id, i) =>
        n.encode(Topic.InvoiceChanged, invoiceChanged(customerOf(i), id, due20), at(2000)),
      ),
      ...paidInBatch.map((id, i) =>
        n.encode(
          Topic.InvoiceChanged,
          invoiceChanged(customerOf(i), id, due20, {
            status: InvoiceStatus.PAID,
            openAmount: { amount: '0.00', currency: 'CNY' },
          }),
          at(3000),
        ),
      ),
      ...known.map((id, i) => n.encode(Topic.InvoicePaid, invoicePaid(customerOf(i), id, due10), at(3000))),
      // Older than what the projection holds (another topic, late): changes nothing.
      ...known
        .slice(0, 10)
        .map((id, i) =>
          n.encode(Topic.InvoiceChanged, invoiceChanged(customerOf(i), id, due20), at(-3_600_000)),
        ),
    ];
    records.push(records[moved.length] as EncodedRecord<TopicName>);
    expect(records).toHaveLength(136);

    watch.reset();
    const statementsBefore = await n.metric('duemap_db_statements_total');
    await n.publishAll(records);

    const expectedEvents = 15 * 15 + 15 * 10 + 30 * 5 + 20 * 5;
    const newEvents = () =>
      [...moved, ...issued].reduce(
        (sum, id) =>
          sum + eventsOf(Topic.ReminderScheduled, id).length + eventsOf(Topic.ReminderCancelled, id).length,
        0,
      ) + known.reduce((sum, id) => sum + eventsOf(Topic.ReminderCancelled, id).length, 0);
    await waitFor('the events of the batch', () => (newEvents() >= expectedEvents ? true : undefined), {
      timeoutMs: 60_000,
    });
    await waitFor('every event of the batch handled', () =>
      watch.transactions.reduce((sum, t) => sum + t.events, 0) >= records.length ? true : undefined,
    );
    // Anything more would come late: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(newEvents()).toBe(expectedEvents);

    const rows = await rowsOf([...moved, ...issued, ...known]);
    for (const id of moved) {
      const paid = paidInBatch.includes(id);
      const list = rows.get(id) ?? [];
      // One reminder per level, created by the first change and moved by the second.
      expect(list.map((r) => [r.level, r.status, r.reason, r.scheduled_for.toISOString()])).toEqual(
        OFFSETS.map((days, i) => [
          i + 1,
          paid ? 'cancelled' : 'scheduled',
          paid ? 'invoice_paid' : null,
          nineInShanghai(due20, days),
        ]),
      );
      const scheduled = eventsOf(Topic.ReminderScheduled, id);
      expect(scheduled.map((e) => [e.reminderId, isoOf(e.scheduledFor)])).toEqual([
        ...list.map((r, i) => [r.id, nineInShanghai(due10, OFFSETS[i] as number)]),
        ...list.map((r, i) => [r.id, nineInShanghai(due20, OFFSETS[i] as number)]),
      ]);
      const cancelled = eventsOf(Topic.ReminderCancelled, id);
      expect(cancelled.map((e) => [e.reminderId, e.reason])).toEqual(
        paid ? list.map((r) => [r.id, CancellationReason.INVOICE_PAID]) : [],
      );
    }
    for (const id of issued) {
      const list = rows.get(id) ?? [];
      expect(list.map((r) => [r.status, r.scheduled_for.toISOString()])).toEqual(
        OFFSETS.map((days) => ['scheduled', nineInShanghai(due10, days)]),
      );
      expect(eventsOf(Topic.ReminderScheduled, id).map((e) => e.reminderId)).toEqual(list.map((r) => r.id));
    }
    for (const id of known) {
      const list = rows.get(id) ?? [];
      // The late change moved nothing; the payment cancelled everything.
      expect(list.map((r) => [r.status, r.reason, r.scheduled_for.toISOString()])).toEqual(
        OFFSETS.map((days) => ['cancelled', 'invoice_paid', nineInShanghai(due10, days)]),
      );
      expect(eventsOf(Topic.ReminderScheduled, id)).toHaveLength(5);
      expect(eventsOf(Topic.ReminderCancelled, id).map((e) => [e.reminderId, e.reason])).toEqual(
        list.map((r) => [r.id, CancellationReason.INVOICE_PAID]),
      );
    }
    const projection = await n.db.query<{ invoice_id: string; status: string; due_date: string }[]>(
      `SELECT invoice_id, status, to_char(due_date, 'YYYY-MM-DD') AS due_date FROM invoices
        WHERE invoice_id = ANY($1)`,
      [[...moved, ...known]],
    );
    const stateOf = new Map(projection.map((p) => [p.invoice_id, [p.status, p.due_date]]));
    for (const id of moved) {
      expect(stateOf.get(id)).toEqual([paidInBatch.includes(id) ? 'paid' : 'open', due20]);
    }
    for (const id of known) expect(stateOf.get(id)).toEqual(['paid', due10]);

    // Redis: jobs at the last time of each reminder still scheduled, none for the others.
    await waitFor('the jobs as the reminders stand', async () => {
      for (const r of [...rows.values()].flat()) {
        const job = await n.queue.getJob(r.id);
        const want = r.status === 'scheduled' ? r.scheduled_for.toISOString() : undefined;
        if (job?.data.scheduledFor !== want) return undefined;
      }
      return true;
    });

    const statements = watch.transactions.reduce((sum, t) => sum + t.statements.length, 0);
    const events = watch.transactions.reduce((sum, t) => sum + t.events, 0);
    const all = (await n.metric('duemap_db_statements_total')) - statementsBefore;
    console.log(
      `batch of ${events} events: ${watch.transactions.length} consumer transactions, ` +
        `${statements} statements in them besides BEGIN/inbox/COMMIT (${(statements / events).toFixed(2)} per event); ` +
        `${all} statements of the service in all (${(all / events).toFixed(2)} per event)`,
      watch.transactions.map((t) => `${t.events} events, ${t.topics.length} topics: ${t.statements.length}`),
    );
    // Set-based handlers: a few statements per topic, whatever the number of events.
    for (const t of watch.transactions) {
      expect(t.statements.length).toBeLessThanOrEqual(1 + 5 * t.topics.length);
    }
  });

  it('isolates a poison event of a batch: the others applied, it alone dead-lettered with the reason', async () => {
    const invoiceIds = Array.from({ length: 20 }, () => randomUUID());
    const poison = invoiceIds[7] as string;
    const records = invoiceIds.map((id, i) =>
      n.encode(
        Topic.InvoiceIssued,
        invoiceIssued(
          customerOf(i),
          id,
          due10,
          // Three decimals for yuan: the contract's shape, but no amount Money can take.
          id === poison ? { openAmount: { amount: '1.234', currency: 'CNY' } } : {},
        ),
      ),
    );
    await n.publishAll(records);
    const [dead] = await collectMessages(testKafka(n.brokers), dlqTopic(Topic.InvoiceIssued), 1, 60_000);
    expect(dead?.message.value?.equals(records[7]!.value)).toBe(true);
    expect(dead?.header('dlq-error-class')).toBe('fatal');
    expect(dead?.header('dlq-error')).toMatch(/open_amount/);
    const rows = await waitFor('the others planned', async () => {
      const found = await rowsOf(invoiceIds);
      return invoiceIds.every((id) => id === poison || found.get(id)?.length === 5) ? found : undefined;
    });
    expect(rows.get(poison)).toEqual([]);
    expect(await n.db.query(`SELECT 1 FROM invoices WHERE invoice_id = $1`, [poison])).toEqual([]);
    await waitFor('their events', () =>
      invoiceIds.every((id) => id === poison || eventsOf(Topic.ReminderScheduled, id).length === 5)
        ? true
        : undefined,
    );
    expect(eventsOf(Topic.ReminderScheduled, poison)).toEqual([]);
  });
});
