import type { OutboxWriter } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { AfterCommit } from '../common/after-commit';
import type { Clock } from '../common/clock';
import { CustomerEntity } from '../customers/customer.entity';
import { InvoiceEntity } from '../invoices/invoice.entity';
import type { ReminderJobs } from './reminder-jobs';
import { ReminderPlanner } from './reminder-planner';
import { ReminderEntity } from './reminder.entity';

const NOW = new Date('2025-03-20T12:00:00Z');

function setup(options: {
  invoice?: Partial<InvoiceEntity> | null;
  existing?: Partial<ReminderEntity>[];
  timeZone?: string;
}) {
  const invoice =
    options.invoice === null
      ? null
      : Object.assign(new InvoiceEntity(), {
          invoiceId: 'inv-1',
          customerId: 'c-1',
          number: 'INV-1',
          kind: 'invoice',
          status: 'open',
          dueDate: '2025-03-30',
          openMinor: '100',
          currency: 'CNY',
          ...options.invoice,
        });
  const reminders = {
    find: jest
      .fn()
      .mockResolvedValue((options.existing ?? []).map((r) => Object.assign(new ReminderEntity(), r))),
    create: jest.fn((r: Partial<ReminderEntity>) => Object.assign(new ReminderEntity(), r)),
    insert: jest.fn(),
    update: jest.fn(),
  };
  const repos = new Map<unknown, unknown>([
    [InvoiceEntity, { findOne: jest.fn().mockResolvedValue(invoice) }],
    [
      CustomerEntity,
      {
        findOneBy: jest
          .fn()
          .mockResolvedValue(
            options.timeZone
              ? Object.assign(new CustomerEntity(), { timeZone: options.timeZone, tier: 'standard' })
              : null,
          ),
      },
    ],
    [ReminderEntity, reminders],
  ]);
  const em = { getRepository: (entity: unknown) => repos.get(entity) } as unknown as EntityManager;
  const outbox = { appendAll: jest.fn() };
  const jobs = { apply: jest.fn().mockResolvedValue(undefined) };
  const tasks: (() => Promise<void>)[] = [];
  const afterCommit = { run: jest.fn((_em: EntityManager, task: () => Promise<void>) => tasks.push(task)) };
  const clock: Clock = { now: () => NOW };
  const planner = new ReminderPlanner(
    outbox as unknown as OutboxWriter,
    jobs as unknown as ReminderJobs,
    afterCommit as unknown as AfterCommit,
    clock,
  );
  return { planner, em, reminders, outbox, jobs, afterCommit, tasks };
}

type Appended = { topic: { name: string }; key: string; event: Record<string, unknown> }[];

describe('ReminderPlanner', () => {
  it('creates the rows, appends reminder-scheduled for each, and adds the jobs only after commit', async () => {
    const { planner, em, reminders, outbox, jobs, tasks } = setup({ timeZone: 'Asia/Shanghai' });
    const actions = await planner.replanInvoice(em, 'inv-1');
    expect(actions).toHaveLength(5);
    expect(reminders.insert).toHaveBeenCalledTimes(5);
    const inserted = reminders.insert.mock.calls.map(([row]) => row as ReminderEntity);
    expect(inserted.map((r) => [r.level, r.status, r.scheduledFor.toISOString(), r.channel])).toEqual([
      [1, 'scheduled', '2025-03-27T01:00:00.000Z', 'email'],
      [2, 'scheduled', '2025-03-30T01:00:00.000Z', 'email'],
      [3, 'scheduled', '2025-04-06T01:00:00.000Z', 'email'],
      [4, 'scheduled', '2025-04-13T01:00:00.000Z', 'email'],
      [5, 'scheduled', '2025-04-29T01:00:00.000Z', 'email'],
    ]);
    const events = (outbox.appendAll.mock.calls[0] as [unknown, Appended])[1];
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
    // Nothing touched Redis inside the transaction.
    expect(jobs.apply).not.toHaveBeenCalled();
    await tasks[0]!();
    expect(jobs.apply).toHaveBeenCalledWith({
      add: inserted.map((r) => ({ id: r.id, scheduledFor: r.scheduledFor })),
      move: [],
      remove: [],
    });
  });

  it('stores past levels as skipped without an event or a job', async () => {
    const { planner, em, reminders, outbox, jobs, tasks } = setup({ invoice: { dueDate: '2025-03-12' } });
    await planner.replanInvoice(em, 'inv-1');
    const inserted = reminders.insert.mock.calls.map(([row]) => row as ReminderEntity);
    expect(inserted.map((r) => [r.level, r.status, r.reason])).toEqual([
      [1, 'skipped', 'time_passed'],
      [2, 'skipped', 'time_passed'],
      [3, 'skipped', 'time_passed'],
      [4, 'scheduled', null],
      [5, 'scheduled', null],
    ]);
    expect((outbox.appendAll.mock.calls[0] as [unknown, Appended])[1]).toHaveLength(2);
    await tasks[0]!();
    expect((jobs.apply.mock.calls[0] as [{ add: unknown[] }])[0].add).toHaveLength(2);
  });

  it('cancels the scheduled reminders of a paid invoice, emits reminder-cancelled and removes their jobs', async () => {
    const scheduledFor = new Date('2025-03-27T09:00:00Z');
    const { planner, em, reminders, outbox, jobs, tasks } = setup({
      invoice: { status: 'paid', openMinor: '0' },
      existing: [
        {
          id: 'r-1',
          invoiceId: 'inv-1',
          customerId: 'c-1',
          level: 1,
          offsetDays: -3,
          status: 'sent',
          scheduledFor,
        },
        {
          id: 'r-2',
          invoiceId: 'inv-1',
          customerId: 'c-1',
          level: 2,
          offsetDays: 0,
          status: 'scheduled',
          scheduledFor,
        },
      ],
    });
    await planner.replanInvoice(em, 'inv-1');
    expect(reminders.update).toHaveBeenCalledTimes(1);
    expect(reminders.update).toHaveBeenCalledWith(
      { id: 'r-2' },
      expect.objectContaining({ status: 'cancelled', reason: 'invoice_paid', cancelledAt: NOW }),
    );
    const events = (outbox.appendAll.mock.calls[0] as [unknown, Appended])[1];
    expect(events.map((e) => [e.topic.name, e.event.reminderId])).toEqual([
      ['notifications.reminder-cancelled.v1', 'r-2'],
    ]);
    await tasks[0]!();
    expect(jobs.apply).toHaveBeenCalledWith({ add: [], move: [], remove: ['r-2'] });
  });

  it('does nothing (no event, no job) when the plan is unchanged or the invoice unknown', async () => {
    const unknown = setup({ invoice: null });
    expect(await unknown.planner.replanInvoice(unknown.em, 'inv-1')).toEqual([]);
    expect(unknown.afterCommit.run).not.toHaveBeenCalled();
    const paidWithNothingScheduled = setup({ invoice: { status: 'paid' } });
    expect(
      await paidWithNothingScheduled.planner.replanInvoice(paidWithNothingScheduled.em, 'inv-1'),
    ).toEqual([]);
    expect(paidWithNothingScheduled.outbox.appendAll).not.toHaveBeenCalled();
  });
});
