import { ROOT_CONTEXT, createContextKey } from '@opentelemetry/api';
import { TransactionScope, type OutboxWriter } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { AfterCommit } from '../common/after-commit';
import type { Clock } from '../common/clock';
import type { InvoiceToPlan } from '../invoices/invoice.repository';
import type { ReminderJobs } from './reminder-jobs';
import { ReminderPlanner, type PlanStep } from './reminder-planner';
import type { PlannedReminder } from './reminder.repository';

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
    policyId: 'default',
    offsetDays: 0,
    status: 'scheduled',
    scheduledFor: new Date('2025-03-27T09:00:00Z'),
    channel: 'email',
    reason: null,
    cancelledAt: null,
    ...over,
  };
}

function setup(existing: PlannedReminder[] = []) {
  const reminders = {
    lockOfInvoices: jest.fn((_em: EntityManager, ids: readonly string[]) =>
      Promise.resolve(existing.filter((r) => ids.includes(r.invoiceId))),
    ),
    insertAll: jest.fn().mockResolvedValue(undefined),
    updateAll: jest.fn().mockResolvedValue(undefined),
    // As the SQL does: every scheduled reminder of the invoices, cancelled, by invoice and level.
    cancelScheduledOfInvoices: jest.fn(
      (_em: EntityManager, invoices: { invoiceId: string; reason: string }[], now: Date) =>
        Promise.resolve(
          invoices.flatMap(({ invoiceId, reason }) =>
            existing
              .filter((r) => r.invoiceId === invoiceId && r.status === 'scheduled')
              .map((r) => ({ ...r, status: 'cancelled', reason, cancelledAt: now })),
          ),
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
    reminders as never,
    outbox as unknown as OutboxWriter,
    jobs as unknown as ReminderJobs,
    afterCommit as unknown as AfterCommit,
    clock,
  );
  /** What happens once the transaction committed. */
  const commit = async () => {
    await tx.scope.flush();
    for (const task of tasks) await task();
  };
  const appended = () => outbox.appendAll.mock.calls.flatMap(([, events]) => events as Appended);
  const inserted = () => reminders.insertAll.mock.calls.flatMap(([, rows]) => rows as PlannedReminder[]);
  const updated = () => reminders.updateAll.mock.calls.flatMap(([, rows]) => rows as PlannedReminder[]);
  const plan = (...steps: (InvoiceToPlan | PlanStep)[]) =>
    planner.replanAll(
      tx,
      steps.map((s) => ('invoice' in s ? s : { invoice: s })),
    );
  return {
    planner,
    plan,
    tx,
    reminders,
    outbox,
    jobs,
    afterCommit,
    tasks,
    commit,
    appended,
    inserted,
    updated,
  };
}

type Appended = {
  topic: { name: string };
  key: string;
  event: Record<string, unknown>;
  traceContext?: unknown;
}[];

describe('ReminderPlanner', () => {
  it('creates the rows in one insert, appends reminder-scheduled for each, and adds the jobs only after commit', async () => {
    const { plan, reminders, jobs, tasks, commit, appended, inserted } = setup();
    const [actions] = await plan(invoiceOf());
    expect(actions).toHaveLength(5);
    expect(reminders.insertAll).toHaveBeenCalledTimes(1);
    expect(reminders.updateAll).toHaveBeenCalledWith(expect.anything(), [], NOW);
    const rows = inserted();
    expect(
      rows.map((r) => [
        r.level,
        r.status,
        r.scheduledFor.toISOString(),
        r.reason,
        r.invoiceId,
        r.customerId,
        r.policyId,
      ]),
    ).toEqual([
      [1, 'scheduled', '2025-03-27T01:00:00.000Z', null, 'inv-1', 'c-1', 'default'],
      [2, 'scheduled', '2025-03-30T01:00:00.000Z', null, 'inv-1', 'c-1', 'default'],
      [3, 'scheduled', '2025-04-06T01:00:00.000Z', null, 'inv-1', 'c-1', 'default'],
      [4, 'scheduled', '2025-04-13T01:00:00.000Z', null, 'inv-1', 'c-1', 'default'],
      [5, 'scheduled', '2025-04-29T01:00:00.000Z', null, 'inv-1', 'c-1', 'default'],
    ]);
    const events = appended();
    expect(events.map((e) => e.topic.name)).toEqual(Array(5).fill('notifications.reminder-scheduled.v1'));
    expect(events[0]).toMatchObject({
      key: 'c-1',
      event: { reminderId: rows[0]!.id, invoiceId: 'inv-1', level: 1, daysFromDue: -3, policyId: 'default' },
    });
    // Jobs go to Redis after commit.
    expect(tasks).toHaveLength(1);
    expect(jobs.apply).not.toHaveBeenCalled();
    await commit();
    expect(jobs.apply).toHaveBeenCalledWith({
      add: rows.map((r) => ({ id: r.id, scheduledFor: r.scheduledFor })),
      move: [],
      remove: [],
    });
  });

  it("stamps each step's events with the step's trace", async () => {
    const { plan, appended } = setup();
    const trace = ROOT_CONTEXT.setValue(createContextKey('span'), 'issued');
    await plan({ invoice: invoiceOf({ firstSeen: true }), trace });
    expect(appended().every((e) => e.traceContext === trace)).toBe(true);
  });

  it('does not look for reminders of an invoice seen for the first time', async () => {
    const { plan, reminders } = setup();
    await plan(invoiceOf({ firstSeen: true }));
    expect(reminders.lockOfInvoices).toHaveBeenCalledWith(expect.anything(), []);
    expect(reminders.insertAll).toHaveBeenCalledTimes(1);
  });

  it('plans in UTC with the default policy while the customer is unknown', async () => {
    const { plan, inserted } = setup();
    await plan(invoiceOf({ customer: null }));
    expect(inserted()[0]?.scheduledFor.toISOString()).toBe('2025-03-27T09:00:00.000Z');
  });

  it('stores past levels as skipped without an event or a job', async () => {
    const { plan, jobs, commit, appended, inserted } = setup();
    await plan(invoiceOf({ dueDate: '2025-03-12' }));
    expect(inserted().map((r) => [r.level, r.status, r.reason])).toEqual([
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
    const { plan, reminders, jobs, commit, appended, updated, inserted } = setup([
      reminder({ id: 'r-1', level: 1, status: 'sent' }),
      reminder({ id: 'r-2', level: 2, customerId: 'c-0' }),
      reminder({ id: 'r-3', level: 3 }),
    ]);
    const [actions] = await plan(invoiceOf({ status: 'paid', openMinor: '0' }));
    expect(reminders.cancelScheduledOfInvoices).toHaveBeenCalledWith(
      expect.anything(),
      [{ invoiceId: 'inv-1', reason: 'invoice_paid' }],
      NOW,
    );
    // The same actions planReminders gives for a closed invoice, without reading the rows first.
    expect(reminders.lockOfInvoices).toHaveBeenCalledWith(expect.anything(), []);
    expect(actions).toEqual([
      { kind: 'cancel', id: 'r-2', level: 2, reason: 'invoice_paid', detail: 'the invoice was paid' },
      { kind: 'cancel', id: 'r-3', level: 3, reason: 'invoice_paid', detail: 'the invoice was paid' },
    ]);
    // Nothing left to write.
    expect(updated()).toEqual([]);
    expect(inserted()).toEqual([]);
    await commit();
    expect(appended().map((e) => [e.topic.name, e.key, e.event.reminderId, e.event.invoiceId])).toEqual([
      ['notifications.reminder-cancelled.v1', 'c-0', 'r-2', 'inv-1'],
      ['notifications.reminder-cancelled.v1', 'c-1', 'r-3', 'inv-1'],
    ]);
    expect(jobs.apply).toHaveBeenCalledWith({ add: [], move: [], remove: ['r-2', 'r-3'] });
  });

  it('says invoice_voided for a voided invoice; a second closing step cancels nothing more', async () => {
    const { plan, reminders, appended } = setup([reminder({ id: 'r-1', level: 1 })]);
    const results = await plan(invoiceOf({ status: 'void' }), invoiceOf({ status: 'paid' }));
    expect(reminders.cancelScheduledOfInvoices).toHaveBeenCalledWith(
      expect.anything(),
      [{ invoiceId: 'inv-1', reason: 'invoice_voided' }],
      NOW,
    );
    expect(results.map((a) => a.length)).toEqual([1, 0]);
    expect(appended().map((e) => e.event.reminderId)).toEqual(['r-1']);
  });

  it('reads (and cancels in memory) the reminders of an invoice closed and then reopened in one batch', async () => {
    const { plan, reminders, updated } = setup([reminder({ id: 'r-1', level: 1, offsetDays: -3 })]);
    await plan(invoiceOf({ status: 'paid', openMinor: '0' }), invoiceOf({ status: 'open' }));
    expect(reminders.cancelScheduledOfInvoices).toHaveBeenCalledWith(expect.anything(), [], NOW);
    expect(reminders.lockOfInvoices).toHaveBeenCalledWith(expect.anything(), ['inv-1']);
    expect(updated().map((r) => [r.id, r.status, r.reason])).toEqual([['r-1', 'cancelled', 'invoice_paid']]);
  });

  it('re-anchors and cancels (due date moved) in one statement, keeping ids, with their events and jobs', async () => {
    // Moved back to 2025-03-19: the times of levels 1 and 2 have passed (cancelled), 3-5 are new.
    const { plan, jobs, commit, appended, updated, inserted } = setup([
      reminder({ id: 'r-1', level: 1, offsetDays: -3, scheduledFor: new Date('2025-03-27T01:00:00Z') }),
      reminder({ id: 'r-2', level: 2, offsetDays: 0, scheduledFor: new Date('2025-03-30T01:00:00Z') }),
    ]);
    await plan(invoiceOf({ dueDate: '2025-03-19' }));
    expect(updated().map((r) => [r.id, r.status, r.reason])).toEqual([
      ['r-1', 'cancelled', 'due_date_changed'],
      ['r-2', 'cancelled', 'due_date_changed'],
    ]);
    expect(inserted().map((r) => r.level)).toEqual([3, 4, 5]);
    await commit();
    expect(appended().map((e) => [e.topic.name, e.event.reminderId ?? e.event.level])).toEqual([
      ['notifications.reminder-cancelled.v1', 'r-1'],
      ['notifications.reminder-cancelled.v1', 'r-2'],
      ...[3, 4, 5].map((): unknown[] => ['notifications.reminder-scheduled.v1', expect.any(String)]),
    ]);
    const [changes] = jobs.apply.mock.calls[0] as [{ add: unknown[]; move: unknown[]; remove: string[] }];
    expect(changes.add).toHaveLength(3);
    expect(changes.remove).toEqual(['r-1', 'r-2']);

    const later = setup([
      reminder({ id: 'r-1', level: 1, offsetDays: -3, scheduledFor: new Date('2025-03-27T01:00:00Z') }),
    ]);
    await later.plan(invoiceOf({ dueDate: '2025-04-09', customerId: 'c-2' }));
    expect(later.updated()).toEqual([
      reminder({
        id: 'r-1',
        level: 1,
        customerId: 'c-2',
        offsetDays: -3,
        scheduledFor: new Date('2025-04-06T01:00:00Z'),
      }),
    ]);
    await later.commit();
    expect(later.appended()[0]).toMatchObject({
      key: 'c-2',
      event: { reminderId: 'r-1', level: 1, daysFromDue: -3, policyId: 'default' },
    });
    expect((later.jobs.apply.mock.calls[0] as [{ move: unknown[] }])[0].move).toEqual([
      { id: 'r-1', scheduledFor: new Date('2025-04-06T01:00:00Z') },
    ]);
  });

  it('plans several steps of one invoice in order, each on what the one before left, and writes once', async () => {
    const { plan, reminders, jobs, commit, appended, inserted } = setup();
    // Issued, re-anchored, then paid — all in one batch.
    const results = await plan(
      invoiceOf({ firstSeen: true }),
      invoiceOf({ dueDate: '2025-04-09' }),
      invoiceOf({ status: 'paid', openMinor: '0' }),
    );
    expect(results.map((a) => a.map((x) => x.kind))).toEqual([
      Array(5).fill('create'),
      Array(5).fill('reschedule'),
      Array(5).fill('cancel'),
    ]);
    expect(reminders.lockOfInvoices).toHaveBeenCalledWith(expect.anything(), []);
    expect(reminders.insertAll).toHaveBeenCalledTimes(1);
    // Inserted as they end: at the re-anchored times, cancelled.
    const rows = inserted();
    expect(rows.map((r) => [r.status, r.reason, r.cancelledAt, r.scheduledFor.toISOString()])).toEqual([
      ['cancelled', 'invoice_paid', NOW, '2025-04-06T01:00:00.000Z'],
      ['cancelled', 'invoice_paid', NOW, '2025-04-09T01:00:00.000Z'],
      ['cancelled', 'invoice_paid', NOW, '2025-04-16T01:00:00.000Z'],
      ['cancelled', 'invoice_paid', NOW, '2025-04-23T01:00:00.000Z'],
      ['cancelled', 'invoice_paid', NOW, '2025-05-09T01:00:00.000Z'],
    ]);
    // The events each step would have emitted on its own.
    expect(appended().map((e) => [e.topic.name, e.event.reminderId])).toEqual([
      ...rows.map((r) => ['notifications.reminder-scheduled.v1', r.id]),
      ...rows.map((r) => ['notifications.reminder-scheduled.v1', r.id]),
      ...rows.map((r) => ['notifications.reminder-cancelled.v1', r.id]),
    ]);
    // Created and cancelled before commit: no job at all, not even a pass over Redis.
    await commit();
    expect(jobs.apply).not.toHaveBeenCalled();
  });

  it('revives a level cancelled earlier in the same batch with a new reminder (cancel written before insert)', async () => {
    const { plan, updated, inserted } = setup([reminder({ id: 'r-1', level: 1, offsetDays: -3 })]);
    await plan(invoiceOf({ status: 'paid', openMinor: '0' }), invoiceOf({ status: 'open' }));
    expect(updated().map((r) => [r.id, r.status])).toEqual([['r-1', 'cancelled']]);
    expect(inserted().map((r) => [r.level, r.status])).toEqual([
      [1, 'scheduled'],
      [2, 'scheduled'],
      [3, 'scheduled'],
      [4, 'scheduled'],
      [5, 'scheduled'],
    ]);
  });

  it('plans every invoice of a batch in one call and changes jobs once after commit', async () => {
    const existing = [reminder({ id: 'r-9', level: 1, invoiceId: 'inv-9' })];
    const { plan, reminders, jobs, afterCommit, commit, appended, inserted } = setup(existing);
    await plan(
      invoiceOf({ invoiceId: 'inv-1', firstSeen: true }),
      invoiceOf({ invoiceId: 'inv-2', firstSeen: true }),
      invoiceOf({ invoiceId: 'inv-9', status: 'paid' }),
    );
    // inv-1 and inv-2 are new, inv-9 is paid: nothing to read, one cancel for the paid ones.
    expect(reminders.lockOfInvoices).toHaveBeenCalledTimes(1);
    expect(reminders.lockOfInvoices).toHaveBeenCalledWith(expect.anything(), []);
    expect(reminders.cancelScheduledOfInvoices).toHaveBeenCalledWith(
      expect.anything(),
      [{ invoiceId: 'inv-9', reason: 'invoice_paid' }],
      NOW,
    );
    // Another plan in the same transaction (another topic's batch): its jobs join the same pass.
    await plan(invoiceOf({ invoiceId: 'inv-3', firstSeen: true }));
    expect(afterCommit.run).toHaveBeenCalledTimes(1);
    await commit();
    expect(appended().map((e) => [e.topic.name, e.event.invoiceId])).toEqual([
      ...Array(5).fill(['notifications.reminder-scheduled.v1', 'inv-1']),
      ...Array(5).fill(['notifications.reminder-scheduled.v1', 'inv-2']),
      ['notifications.reminder-cancelled.v1', 'inv-9'],
      ...Array(5).fill(['notifications.reminder-scheduled.v1', 'inv-3']),
    ]);
    expect(jobs.apply).toHaveBeenCalledTimes(1);
    const [changes] = jobs.apply.mock.calls[0] as [{ add: unknown[]; move: unknown[]; remove: string[] }];
    expect(changes).toEqual({
      add: inserted().map((r) => ({ id: r.id, scheduledFor: r.scheduledFor })),
      move: [],
      remove: ['r-9'],
    });
  });

  it('does nothing (no write, no event, no job) for a plan that is unchanged', async () => {
    const paidFirst = setup();
    expect(await paidFirst.plan(invoiceOf({ status: 'paid', firstSeen: true }))).toEqual([[]]);
    const paidWithNothingScheduled = setup([reminder({ id: 'r-1', level: 1, status: 'sent' })]);
    expect(await paidWithNothingScheduled.plan(invoiceOf({ status: 'paid' }))).toEqual([[]]);
    for (const s of [paidFirst, paidWithNothingScheduled]) {
      await s.commit();
      expect(s.afterCommit.run).not.toHaveBeenCalled();
      expect(s.outbox.appendAll).not.toHaveBeenCalled();
      expect(s.inserted()).toEqual([]);
      expect(s.updated()).toEqual([]);
    }
  });
});
