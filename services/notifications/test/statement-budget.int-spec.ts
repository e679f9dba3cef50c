import { getDataSourceToken } from '@nestjs/typeorm';
import { InvoiceStatus, Topic } from '@duemap/events';
import { waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import type { BeforeQueryEvent, DataSource, QueryRunner } from 'typeorm';
import {
  dayFromToday,
  invoiceChanged,
  invoiceIssued,
  invoicePaid,
  knownCustomer,
  remindersWhen,
  startNotifications,
  type Notifications,
} from './harness';

/**
 * Round trips to Postgres are what the headline flow (a payment -> events -> reminders) spends its
 * CPU on, so the number of statements a consumer transaction sends per event is held here. Each
 * event is published alone, so each consumer transaction applies exactly one event.
 */
describe('notifications: SQL statements per event', () => {
  let n: Notifications;
  const customerId = randomUUID();
  const open = new Map<QueryRunner | undefined, string[]>();
  /** Statements of each committed consumer transaction (inbox, BEGIN and COMMIT left out). */
  let consumed: string[][] = [];
  /** Statements sent outside a transaction that record jobs as enqueued (after commit). */
  let markedEnqueued = 0;

  const onQuery = (query: string, runner: QueryRunner | undefined): void => {
    if (query === 'START TRANSACTION') {
      open.set(runner, []);
    } else if (query === 'COMMIT' || query === 'ROLLBACK') {
      const statements = open.get(runner) ?? [];
      open.delete(runner);
      if (query === 'COMMIT' && statements.some((s) => s.includes('INSERT INTO inbox'))) {
        consumed.push(statements.filter((s) => !s.includes('INSERT INTO inbox')));
      }
    } else if (open.has(runner)) {
      open.get(runner)?.push(query);
    } else if (/UPDATE reminders r SET job_enqueued_for/.test(query)) {
      markedEnqueued++;
    }
  };

  /** The opening of a statement, whitespace folded. */
  const statementOf = (sql: string): string => {
    const folded = sql.replace(/\s+/g, ' ').trim();
    const known = [
      'WITH i AS ( INSERT INTO invoices',
      'INSERT INTO reminders',
      'INSERT INTO "outbox"',
      'SELECT id, invoice_id, customer_id, level',
      "UPDATE reminders SET status = 'cancelled'",
    ];
    return known.find((k) => folded.startsWith(k)) ?? folded;
  };

  /** Runs `act`, then the statements of the one consumer transaction it caused. */
  async function measure(act: () => Promise<void>): Promise<string[]> {
    consumed = [];
    markedEnqueued = 0;
    await act();
    const [statements, ...more] = await waitFor('the consumer transaction', () =>
      consumed.length > 0 ? consumed : undefined,
    );
    expect(more).toEqual([]);
    return statements ?? [];
  }

  beforeAll(async () => {
    // No reconciler pass in between: it records jobs as enqueued too.
    n = await startNotifications({ REMINDER_RECONCILE_INTERVAL: '3600s' });
    // Every statement of the service's DataSource passes a subscriber's beforeQuery.
    n.app.app
      .get<DataSource>(getDataSourceToken())
      .subscribers.push({ beforeQuery: (e: BeforeQueryEvent<unknown>) => onQuery(e.query, e.queryRunner) });
    await knownCustomer(n, customerId);
  });

  afterAll(async () => {
    await n?.close();
  });

  it('issued: 3 statements; partially paid (plan unchanged): 2; paid: 3', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    const issued = await measure(async () => {
      await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));
      await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    });
    await waitFor('the jobs recorded as enqueued', async () => {
      const rows = await n.db.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM reminders WHERE invoice_id = $1 AND job_enqueued_for = scheduled_for`,
        [invoiceId],
      );
      return rows[0]?.n === 5 ? true : undefined;
    });
    const afterIssued = markedEnqueued;

    const partlyPaid = await measure(async () => {
      await n.publish(
        Topic.InvoiceChanged,
        invoiceChanged(customerId, invoiceId, due, {
          status: InvoiceStatus.PARTIALLY_PAID,
          openAmount: { amount: '130.00', currency: 'CNY' },
        }),
      );
      await waitFor('the projection partially paid', async () => {
        const rows = await n.db.query<{ status: string }[]>(
          `SELECT status FROM invoices WHERE invoice_id = $1`,
          [invoiceId],
        );
        return rows[0]?.status === 'partially_paid' ? true : undefined;
      });
    });

    const paid = await measure(async () => {
      await n.publish(Topic.InvoicePaid, invoicePaid(customerId, invoiceId, due));
      await remindersWhen(n, invoiceId, 'all cancelled', (r) => r.every((x) => x.status === 'cancelled'));
    });

    expect(issued.map(statementOf)).toEqual([
      'WITH i AS ( INSERT INTO invoices', // the projection, with its customer
      'INSERT INTO reminders', // five rows
      'INSERT INTO "outbox"', // once per transaction, whatever the number of events in it
    ]);
    expect(afterIssued).toBe(1); // once per transaction too
    expect(partlyPaid.map(statementOf)).toEqual([
      'WITH i AS ( INSERT INTO invoices',
      'SELECT id, invoice_id, customer_id, level', // the plan is unchanged: nothing written
    ]);
    expect(paid.map(statementOf)).toEqual([
      'WITH i AS ( INSERT INTO invoices',
      "UPDATE reminders SET status = 'cancelled'", // five rows
      'INSERT INTO "outbox"',
    ]);
  });
});
