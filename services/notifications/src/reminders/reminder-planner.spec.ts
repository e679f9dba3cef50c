import { TransactionScope, type OutboxWriter } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { AfterCommit } from '../common/after-commit';
import type { Clock } from '../common/clock';
import type { InvoiceToPlan } from '../invoices/invoice.repository';
import type { ReminderJobs } from './reminder-jobs';
import { ReminderPlanner } from './reminder-planner';
import type { NewReminder, PlannedReminder } from './reminder.repository';

const NOW = new Date('2025-03-20T12:00:00Z');

function invoiceOf(over: Partial<InvoiceToPlan> = {}): InvoiceToPlan {
  return {
    invoiceId: 'inv-1',
    customerId: 'c-1',
    kind: 'invoice',
    status: 'open',
    dueDate: '2025-03-30',
    openMinor: '100',
    customer: { timeZone: 'Asia/Shanghai', tier: 'standard' },
    firstSeen: false,
    ...over,
  };
}

function reminder(over: Partial<PlannedReminder> & Pick<PlannedReminder, 'id' | 'level'>): PlannedReminder {
  return {
    invoiceId: 'inv-1',
    customerId: 'c-1',
    offsetDays: 0,
    status: 'scheduled',
    scheduledFor: new Date('2025-03-27T09:00:00Z'),
    channel: 'email',
    ...over,
  };
}

function setup(existing: PlannedReminder[] = []) {
  const reminders = {
    lockOfInvoice: jest.fn().mockResolvedValue(existing),
    insertAll: jest.fn().mockResolvedValue(undefined),
    rescheduleAll: jest.fn().mockResolvedValue(undefined),
    cancelAll: jest.fn().mockResolvedValue(undefined),
    cancelScheduledOfInvoice: jest.fn((_em: EntityManager, _invoiceId: string) =>
      Promise.resolve(
        existing
          .filter((r) => r.status === 'scheduled')
          .map((r) => ({ id: r.id, customerId: r.customerId, level: r.level })),
      ),
    ),
  };
  const em = {} as EntityManager;
  const tx = { em, scope: new TransactionScope() };
  const outbox = { appendAll: jest.fn().mockResolvedValue([]) };
  const jobs = { apply: jest.fn().mockResolvedValue(undefined) };
  const tasks: (() => Promise<void>)[] = [];
  const afterCommit = { run: jest.fn((_em: EntityManager, task: () => Promise<void>) => tasks.push(task)) };
  const clock: Clock = { now: () => NOW };
  const planner = new ReminderPlanner(
    reminders,
    outbox as unknown as OutboxWriter,
    jobs as unknown as ReminderJobs,
    afterCommit as unknown as AfterCommit,
    clock,
  );
  /** What the consumer does once every event of the transaction was handled, then commit. */
  const commit = async () => {
    await tx.scope.flush();
    for (const task of tasks) await task();
  };
  const appended = () => outbox.appendAll.mock.calls.flatMap(([, events]) => events as Appended);
  return { planner, tx, reminders, outbox, jobs, afterCommit, tasks, commit, appended };
}

type Appended = { topic: { name: string }; key: string; event: Record<string, unknown> }[];

describe('ReminderPlanner', () => {
  it('creates the rows in one insert, appends reminder-scheduled for each, and adds the jobs only after commit', async () => {
    const { planner, tx, reminders, outbox, jobs, tasks, commit, appended } = setup();
    const actions = await planner.replan(tx, invoiceOf());
    expect(actions).toHaveLength(5);
    expect(reminders.insertAll).toHaveBeenCalledTimes(1);
    const [, of, inserted] = reminders.insertAll.mock.calls[0] as [unknown, unknown, NewReminder[]];
    expect(of).toEqual({ invoiceId: 'inv-1', customerId: 'c-1', policyId: 'default', channel: 'email' });
    expect(inserted.map((r) => [r.level, r.status, r.scheduledFor.toISOString(), r.reason])).toEqual([
      [1, 'scheduled', '2025-03-27T01:00:00.000Z', null],
      [2, 'scheduled', '2025-03-30T01:00:00.000Z', null],
      [3, 'scheduled', '2025-04-06T01:00:00.000Z', null],
      [4, 'scheduled', '2025-04-13T01:00:00.000Z', null],
      [5, 'scheduled', '2025-04-29T01:00:00.000Z', null],
    ]);
    // Events go to the outbox at the end of the transaction, jobs to Redis after its commit.
    expect(outbox.appendAll).not.toHaveBeenCalled();
    expect(tasks).toHaveLength(1);
    await commit();
    const events = appended();
    expect(events.map((e) => e.topic.name)).toEqual(Array(5).fill('notifications.reminder-scheduled.v1'));
    expect(events[0]).toMatchObject({
      key: 'c-1',
      event: {
        reminderId: inserted[0]!.id,
        invoiceId: 'inv-1',
        level: 1,
        daysFromDue: -3,
        policyId: 'default',
      },
    });
    expect(jobs.apply).toHaveBeenCalledWith({
      add: inserted.map((r) => ({ id: r.id, scheduledFor: r.scheduledFor })),
      move: [],
      remove: [],
    });
  });

  it('does not look for reminders of an invoice seen for the first time', async () => {
    const { planner, tx, reminders } = setup();
    await planner.replan(tx, invoiceOf({ firstSeen: true }));
    expect(reminders.lockOfInvoice).not.toHaveBeenCalled();
    expect(reminders.insertAll).toHaveBeenCalledTimes(1);
  });

  it('plans in UTC with the default policy while the customer is unknown', async () => {
    const { planner, tx, reminders } = setup();
    await planner.replan(tx, invoiceOf({ customer: null }));
    const [, , inserted] = reminders.insertAll.mock.calls[0] as [unknown, unknown, NewReminder[]];
    expect(inserted[0]?.scheduledFor.toISOString()).toBe('2025-03-27T09:00:00.000Z');
  });

  it('stores past levels as skipped without an event or a job', async () => {
    const { planner, tx, reminders, jobs, commit, appended } = setup();
    await planner.replan(tx, invoiceOf({ dueDate: '2025-03-12' }));
    const [, , inserted] = reminders.insertAll.mock.calls[0] as [unknown, unknown, NewReminder[]];
    expect(inserted.map((r) => [r.level, r.status, r.reason])).toEqual([
      [1, 'skipped', 'time_passed'],
      [2, 'skipped', 'time_passed'],
      [3, 'skipped', 'time_passed'],
      [4, 'scheduled', null],
      [5, 'scheduled', null],
    ]);
    await commit();
    expect(appended()).toHaveLength(2);
    expect((jobs.apply.mock.calls[0] as [{ add: unknown[] }])[0].add).toHaveLength(2);
  });

  it('cancels the scheduled reminders of a paid invoice in one statement, emits reminder-cancelled and removes their jobs', async () => {
    const { planner, tx, reminders, jobs, commit, appended } = setup([
      reminder({ id: 'r-1', level: 1, status: 'sent' }),
      reminder({ id: 'r-2', level: 2, customerId: 'c-0' }),
      reminder({ id: 'r-3', level: 3 }),
    ]);
    const actions = await planner.replan(tx, invoiceOf({ status: 'paid', openMinor: '0' }));
    expect(reminders.cancelScheduledOfInvoice).toHaveBeenCalledWith(tx.em, 'inv-1', 'invoice_paid', NOW);
    // The same actions planReminders gives for a closed invoice, without reading the rows first.
    expect(reminders.lockOfInvoice).not.toHaveBeenCalled();
    expect(actions).toEqual([
      { kind: 'cancel', id: 'r-2', level: 2, reason: 'invoice_paid', detail: 'the invoice was paid' },
      { kind: 'cancel', id: 'r-3', level: 3, reason: 'invoice_paid', detail: 'the invoice was paid' },
    ]);
    await commit();
    expect(appended().map((e) => [e.topic.name, e.key, e.event.reminderId, e.event.invoiceId])).toEqual([
      ['notifications.reminder-cancelled.v1', 'c-0', 'r-2', 'inv-1'],
      ['notifications.reminder-cancelled.v1', 'c-1', 'r-3', 'inv-1'],
    ]);
    expect(jobs.apply).toHaveBeenCalledWith({ add: [], move: [], remove: ['r-2', 'r-3'] });
  });

  it('says invoice_voided for a voided invoice', async () => {
    const { planner, tx, reminders } = setup([reminder({ id: 'r-1', level: 1 })]);
    await planner.replan(tx, invoiceOf({ status: 'void' }));
    expect(reminders.cancelScheduledOfInvoice).toHaveBeenCalledWith(tx.em, 'inv-1', 'invoice_voided', NOW);
  });

  it('re-anchors and cancels (due date moved) in one statement each, keeping ids, with their events and jobs', async () => {
    // Moved back to 2025-03-19: the times of levels 1 and 2 have passed (cancelled), 3-5 are new.
    const { planner, tx, reminders, jobs, commit, appended } = setup([
      reminder({ id: 'r-1', level: 1, offsetDays: -3, scheduledFor: new Date('2025-03-27T01:00:00Z') }),
      reminder({ id: 'r-2', level: 2, offsetDays: 0, scheduledFor: new Date('2025-03-30T01:00:00Z') }),
    ]);
    await planner.replan(tx, invoiceOf({ dueDate: '2025-03-19' }));
    expect(reminders.cancelAll).toHaveBeenCalledWith(
      tx.em,
      [
        { id: 'r-1', reason: 'due_date_changed' },
        { id: 'r-2', reason: 'due_date_changed' },
      ],
      NOW,
    );
    const later = setup([
      reminder({ id: 'r-1', level: 1, offsetDays: -3, scheduledFor: new Date('2025-03-27T01:00:00Z') }),
    ]);
    await later.planner.replan(later.tx, invoiceOf({ dueDate: '2025-04-09', customerId: 'c-2' }));
    expect(later.reminders.rescheduleAll).toHaveBeenCalledWith(
      later.tx.em,
      { invoiceId: 'inv-1', customerId: 'c-2', policyId: 'default' },
      [{ id: 'r-1', offsetDays: -3, scheduledFor: new Date('2025-04-06T01:00:00Z') }],
      NOW,
    );
    await later.commit();
    const events = later.appended();
    expect(events[0]).toMatchObject({
      key: 'c-2',
      event: { reminderId: 'r-1', level: 1, daysFromDue: -3, policyId: 'default' },
    });
    expect((later.jobs.apply.mock.calls[0] as [{ move: unknown[] }])[0].move).toEqual([
      { id: 'r-1', scheduledFor: new Date('2025-04-06T01:00:00Z') },
    ]);
    await commit();
    expect(appended().map((e) => [e.topic.name, e.event.reminderId ?? e.event.level])).toEqual([
      ['notifications.reminder-cancelled.v1', 'r-1'],
      ['notifications.reminder-cancelled.v1', 'r-2'],
      ...[3, 4, 5].map((): unknown[] => ['notifications.reminder-scheduled.v1', expect.any(String)]),
    ]);
    const [changes] = jobs.apply.mock.calls[0] as [{ add: unknown[]; move: unknown[]; remove: string[] }];
    expect(changes.add).toHaveLength(3);
    expect(changes.remove).toEqual(['r-1', 'r-2']);
  });

  it('writes the events of every plan of a transaction in one outbox insert and changes jobs once after commit', async () => {
    const { planner, tx, outbox, jobs, afterCommit, reminders, commit, appended } = setup();
    await planner.replan(tx, invoiceOf({ invoiceId: 'inv-1', firstSeen: true }));
    await planner.replan(tx, invoiceOf({ invoiceId: 'inv-2', firstSeen: true }));
    const issued = reminders.insertAll.mock.calls.map(([, , rows]) => rows as NewReminder[]);
    reminders.cancelScheduledOfInvoice.mockResolvedValueOnce(
      issued[0]!.map((r) => ({ id: r.id, customerId: 'c-1', level: r.level })),
    );
    // inv-1 paid in the same transaction: its reminders never get a job.
    await planner.replan(tx, invoiceOf({ invoiceId: 'inv-1', status: 'paid' }));
    expect(afterCommit.run).toHaveBeenCalledTimes(1);
    await commit();
    expect(outbox.appendAll).toHaveBeenCalledTimes(1);
    expect(appended().map((e) => [e.topic.name, e.event.invoiceId])).toEqual([
      ...Array(5).fill(['notifications.reminder-scheduled.v1', 'inv-1']),
      ...Array(5).fill(['notifications.reminder-scheduled.v1', 'inv-2']),
      ...Array(5).fill(['notifications.reminder-cancelled.v1', 'inv-1']),
    ]);
    expect(jobs.apply).toHaveBeenCalledTimes(1);
    expect(jobs.apply).toHaveBeenCalledWith({
      add: issued[1]!.map((r) => ({ id: r.id, scheduledFor: r.scheduledFor })),
      move: [],
      remove: [],
    });
  });

  it('does nothing (no statement, no event, no job) for a plan that is unchanged', async () => {
    const paidFirst = setup();
    expect(
      await paidFirst.planner.replan(paidFirst.tx, invoiceOf({ status: 'paid', firstSeen: true })),
    ).toEqual([]);
    expect(paidFirst.reminders.cancelScheduledOfInvoice).not.toHaveBeenCalled();
    const paidWithNothingScheduled = setup([reminder({ id: 'r-1', level: 1, status: 'sent' })]);
    expect(
      await paidWithNothingScheduled.planner.replan(
        paidWithNothingScheduled.tx,
        invoiceOf({ status: 'paid' }),
      ),
    ).toEqual([]);
    for (const s of [paidFirst, paidWithNothingScheduled]) {
      await s.commit();
      expect(s.afterCommit.run).not.toHaveBeenCalled();
      expect(s.outbox.appendAll).not.toHaveBeenCalled();
    }
  });
});
