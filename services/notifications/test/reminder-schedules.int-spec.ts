import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  calendarDate,
  CancellationReason,
  InvoiceField,
  InvoiceStatus,
  ReminderChannel,
  Topic,
  type EventOf,
} from '@duemap/events';
import { waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import {
  customerUpserted,
  dayFromToday,
  invoiceChanged,
  invoiceIssued,
  invoicePaid,
  startNotifications,
  knownCustomer,
  reminders,
  remindersWhen,
  type Notifications,
  type Reminder,
} from './harness';

interface ErrorBody {
  error: { code: string; message: string; details: { field?: string; message: string }[] };
}

/** 09:00 in Shanghai (UTC+8, no DST) on `dueDate` + `days`. */
const nineInShanghai = (dueDate: string, days: number): string => {
  const [y, m, d] = dueDate.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days, 1, 0)).toISOString();
};

describe('notifications: reminder schedules from invoicing events', () => {
  let n: Notifications;
  const customerId = randomUUID();

  const eventsOf = <T extends (typeof n.events)[number]['topic']>(topic: T, invoiceId: string) =>
    n.events.filter(
      (e) => e.topic === topic && (e.event as { invoiceId: string }).invoiceId === invoiceId,
    ) as {
      topic: T;
      key: string;
      event: EventOf<T>;
    }[];
  const jobsOf = async (ids: string[]) => Promise.all(ids.map(async (id) => n.queue.getJob(id)));

  beforeAll(async () => {
    n = await startNotifications();
    await knownCustomer(n, customerId);
  });

  afterAll(async () => {
    await n?.close();
  });

  it('schedules five reminders at 09:00 Shanghai time for an invoice due in 10 days, with events and jobs', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));

    const list = await remindersWhen(n, invoiceId, 'five reminders', (r) => r.length === 5);
    expect(list.map((r) => [r.level, r.offsetDays, r.scheduledFor, r.status, r.channel])).toEqual([
      [1, -3, nineInShanghai(due, -3), 'scheduled', 'email'],
      [2, 0, nineInShanghai(due, 0), 'scheduled', 'email'],
      [3, 7, nineInShanghai(due, 7), 'scheduled', 'email'],
      [4, 14, nineInShanghai(due, 14), 'scheduled', 'email'],
      [5, 30, nineInShanghai(due, 30), 'scheduled', 'email'],
    ]);
    expect(list.every((r) => r.invoiceId === invoiceId && r.customerId === customerId)).toBe(true);
    expect(list.every((r) => r.sentAt === null && r.cancelledAt === null && r.reason === null)).toBe(true);

    const scheduled = await waitFor('five reminder-scheduled events', () => {
      const e = eventsOf(Topic.ReminderScheduled, invoiceId);
      return e.length >= 5 ? e : undefined;
    });
    expect(scheduled).toHaveLength(5);
    expect(scheduled.every((e) => e.key === customerId)).toBe(true);
    expect(scheduled.map((e) => e.event.reminderId).sort()).toEqual(list.map((r) => r.id).sort());
    const first = scheduled.find((e) => e.event.level === 1)?.event;
    expect(first).toMatchObject({ daysFromDue: -3, channel: ReminderChannel.EMAIL, policyId: 'default' });
    expect(first?.scheduledFor && new Date(Number(first.scheduledFor.seconds) * 1000).toISOString()).toBe(
      nineInShanghai(due, -3),
    );

    const jobs = await waitFor('five delayed jobs in Redis', async () => {
      const found = await jobsOf(list.map((r) => r.id));
      return found.every((j) => j !== undefined) ? found : undefined;
    });
    for (const [i, job] of jobs.entries()) {
      expect(await job?.getState()).toBe('delayed');
      expect(job?.data).toEqual({ reminderId: list[i]?.id, scheduledFor: list[i]?.scheduledFor });
      expect(job.timestamp + job.delay).toBeCloseTo(Date.parse(list[i]!.scheduledFor), -4);
    }

    // Paid: what is left is cancelled, jobs go, reminder-cancelled says why.
    await n.publish(Topic.InvoicePaid, invoicePaid(customerId, invoiceId, due));
    const cancelled = await remindersWhen(n, invoiceId, 'all cancelled', (r) =>
      r.every((x) => x.status === 'cancelled'),
    );
    expect(cancelled.every((r) => r.reason === 'invoice_paid' && r.cancelledAt !== null)).toBe(true);
    await waitFor('the jobs removed from Redis', async () =>
      (await jobsOf(list.map((r) => r.id))).every((j) => j === undefined) ? true : undefined,
    );
    const cancelledEvents = await waitFor('five reminder-cancelled events', () => {
      const e = eventsOf(Topic.ReminderCancelled, invoiceId);
      return e.length >= 5 ? e : undefined;
    });
    expect(cancelledEvents.map((e) => e.event.reason)).toEqual(
      Array(5).fill(CancellationReason.INVOICE_PAID),
    );
    expect(cancelledEvents.map((e) => e.event.reminderId).sort()).toEqual(list.map((r) => r.id).sort());
  });

  it('skips the levels already past for an invoice due 8 days ago and schedules the others', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(-8, 'Asia/Shanghai');
    await n.publish(
      Topic.InvoiceIssued,
      invoiceIssued(customerId, invoiceId, due, { status: InvoiceStatus.OVERDUE }),
    );
    const list = await remindersWhen(n, invoiceId, 'five reminder rows', (r) => r.length === 5);
    expect(list.map((r) => [r.level, r.status, r.reason])).toEqual([
      [1, 'skipped', 'time_passed'],
      [2, 'skipped', 'time_passed'],
      [3, 'skipped', 'time_passed'],
      [4, 'scheduled', null],
      [5, 'scheduled', null],
    ]);
    await waitFor('two jobs', async () =>
      (await jobsOf([list[3]!.id, list[4]!.id])).every(Boolean) ? true : undefined,
    );
    expect((await jobsOf(list.slice(0, 3).map((r) => r.id))).every((j) => j === undefined)).toBe(true);
    await waitFor('two reminder-scheduled events', () =>
      eventsOf(Topic.ReminderScheduled, invoiceId).length >= 2 ? true : undefined,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      eventsOf(Topic.ReminderScheduled, invoiceId)
        .map((e) => e.event.level)
        .sort(),
    ).toEqual([4, 5]);
  });

  it('schedules nothing twice when invoice-issued is redelivered or sent again', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    const record = n.encode(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));
    await n.publishRaw(record); // the same event again (at-least-once delivery)
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due)); // a new event, same invoice
    // A marker behind them on the same partition: once it is planned, the duplicates were handled.
    const marker = randomUUID();
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, marker, due));
    await remindersWhen(n, marker, 'the marker planned', (r) => r.length === 5);

    const list = await reminders(n, invoiceId);
    expect(list).toHaveLength(5);
    expect(new Set(list.map((r) => r.level)).size).toBe(5);
    await waitFor('the marker events', () =>
      eventsOf(Topic.ReminderScheduled, marker).length >= 5 ? true : undefined,
    );
    expect(eventsOf(Topic.ReminderScheduled, invoiceId)).toHaveLength(5);
    const rows = await n.db.query<{ count: number }[]>(
      `SELECT count(*)::int AS count FROM reminders WHERE invoice_id = $1`,
      [invoiceId],
    );
    expect(rows).toEqual([{ count: 5 }]);
  });

  it('re-anchors the remaining reminders (same ids) when the due date moves, and moves their jobs', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    const issued = invoiceIssued(customerId, invoiceId, due);
    await n.publish(Topic.InvoiceIssued, issued);
    const changed = invoiceChanged(customerId, invoiceId, due, { occurredAt: issued.occurredAt });
    const before = await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    await waitFor('jobs', async () =>
      (await jobsOf(before.map((r) => r.id))).every(Boolean) ? true : undefined,
    );

    const moved = dayFromToday(20, 'Asia/Shanghai');
    await n.publish(Topic.InvoiceChanged, {
      ...changed,
      occurredAt: timestampFromDate(new Date(Date.now() + 1000)),
      dueDate: calendarDate(moved),
    });
    const after = await remindersWhen(n, invoiceId, 'reminders re-anchored', (r) =>
      r.every((x) => x.scheduledFor === nineInShanghai(moved, x.offsetDays)),
    );
    expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id));
    expect(after.every((r) => r.status === 'scheduled')).toBe(true);
    await waitFor('the jobs moved to the new times', async () => {
      const jobs = await jobsOf(after.map((r) => r.id));
      return jobs.every((j, i) => j?.data.scheduledFor === after[i]?.scheduledFor) ? true : undefined;
    });
    await waitFor('ten reminder-scheduled events (the later ones win)', () =>
      eventsOf(Topic.ReminderScheduled, invoiceId).length >= 10 ? true : undefined,
    );

    // An older event arriving late (another topic) changes nothing.
    await n.publish(Topic.InvoiceChanged, changed);
    const marker = randomUUID();
    await n.publish(
      Topic.InvoiceChanged,
      invoiceChanged(customerId, marker, due, { changedFields: [InvoiceField.STATUS] }),
    );
    await remindersWhen(n, marker, 'the marker planned', (r) => r.length === 5);
    expect((await reminders(n, invoiceId)).map((r) => r.scheduledFor)).toEqual(
      after.map((r) => r.scheduledFor),
    );
  });

  it('cancels with invoice_voided when the invoice is voided', async () => {
    const invoiceId = randomUUID();
    const due = dayFromToday(10, 'Asia/Shanghai');
    await n.publish(Topic.InvoiceIssued, invoiceIssued(customerId, invoiceId, due));
    await remindersWhen(n, invoiceId, 'five scheduled', (r) => r.length === 5);
    await n.publish(Topic.InvoiceVoided, {
      customerId,
      occurredAt: timestampFromDate(new Date(Date.now() + 1000)),
      invoiceId,
      number: 'X',
      total: { amount: '1130.00', currency: 'CNY' },
      voidedOpenAmount: { amount: '1130.00', currency: 'CNY' },
      reason: 'duplicate',
    });
    const list = await remindersWhen(n, invoiceId, 'all cancelled', (r) =>
      r.every((x) => x.status === 'cancelled'),
    );
    expect(new Set(list.map((r) => r.reason))).toEqual(new Set(['invoice_voided']));
  });

  it("plans in UTC until the customer is known, then moves to 09:00 of the customer's own day", async () => {
    const stranger = randomUUID();
    const invoiceId = randomUUID();
    const due = dayFromToday(10);
    await n.publish(Topic.InvoiceIssued, invoiceIssued(stranger, invoiceId, due));
    const utc = await remindersWhen(n, invoiceId, 'planned in UTC', (r) => r.length === 5);
    expect(utc[0]?.scheduledFor).toBe(`${dayFromToday(7)}T09:00:00.000Z`);
    await n.publish(
      Topic.CustomerUpserted,
      customerUpserted(stranger, { timeZone: 'America/New_York', locale: 'en' }),
    );
    const local = await remindersWhen(
      n,
      invoiceId,
      're-anchored to New York',
      (r) => r[0]?.scheduledFor !== utc[0]?.scheduledFor,
    );
    const shown = new Intl.DateTimeFormat('en-US', {
      timeZone: 'America/New_York',
      hour: 'numeric',
      hourCycle: 'h23',
    });
    expect(local.map((r) => shown.format(new Date(r.scheduledFor)))).toEqual(Array(5).fill('09'));
    expect(local.map((r) => r.id)).toEqual(utc.map((r) => r.id));
  });

  it("lists a customer's reminders by scheduledFor", async () => {
    const res = await n.get<Reminder[]>(`/api/v1/reminders?customerId=${customerId}`);
    expect(res.status).toBe(200);
    expect(res.body.length).toBeGreaterThanOrEqual(25);
    expect(res.body.every((r) => r.customerId === customerId)).toBe(true);
    const times = res.body.map((r) => r.scheduledFor);
    expect(times).toEqual([...times].sort());
    expect((await n.get<Reminder[]>(`/api/v1/reminders?customerId=${randomUUID()}`)).body).toEqual([]);
  });

  it.each([
    ['neither filter', '', ['invoiceId', 'customerId'], 'INVALID_REMINDER_FILTER'],
    [
      'both filters',
      `?invoiceId=${randomUUID()}&customerId=${randomUUID()}`,
      ['invoiceId', 'customerId'],
      'INVALID_REMINDER_FILTER',
    ],
    ['a filter that is not a UUID', '?invoiceId=INV-1', ['invoiceId'], 'VALIDATION_FAILED'],
    ['an empty filter', '?customerId=', ['customerId'], 'VALIDATION_FAILED'],
    ['an unknown parameter', `?invoiceId=${randomUUID()}&status=sent`, ['status'], 'VALIDATION_FAILED'],
  ])('answers 400 naming the field for %s', async (_, query, fields, code) => {
    const res = await n.get<ErrorBody>(`/api/v1/reminders${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.details.map((d) => d.field)).toEqual(fields);
  });
});
