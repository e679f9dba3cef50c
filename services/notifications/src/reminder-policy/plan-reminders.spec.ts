import fc from 'fast-check';
import {
  planReminders,
  type ExistingReminder,
  type InvoiceStanding,
  type PlanAction,
} from './plan-reminders';
import { DEFAULT_REMINDER_POLICY, reminderTime, type ReminderPolicy } from './reminder-policy';
import { addDays, type LocalDate } from './zoned-time';

const policy = DEFAULT_REMINDER_POLICY;
const CUSTOMER = 'c-1';
const now = new Date('2025-03-20T12:00:00Z');
const today: LocalDate = { year: 2025, month: 3, day: 20 };
const open = (dueDate: LocalDate, customerId = CUSTOMER): InvoiceStanding => ({
  remindable: true,
  customerId,
  dueDate,
});
const at = (dueDate: LocalDate, level: number, zone = 'UTC'): Date =>
  reminderTime(policy, policy.steps.find((s) => s.level === level) ?? policy.steps[0]!, dueDate, zone);

/** Applies a plan to rows the way ReminderPlanner does, ids handed out in order. */
function apply(existing: readonly ExistingReminder[], actions: readonly PlanAction[], customerId = CUSTOMER) {
  const rows = existing.map((r) => ({ ...r }));
  let next = rows.length;
  for (const a of actions) {
    switch (a.kind) {
      case 'create':
        rows.push({
          id: `r-${next++}`,
          level: a.level,
          offsetDays: a.offsetDays,
          status: a.status,
          scheduledFor: a.scheduledFor,
          customerId,
        });
        break;
      case 'reschedule':
        Object.assign(rows.find((r) => r.id === a.id) ?? {}, {
          status: 'scheduled',
          scheduledFor: a.scheduledFor,
          offsetDays: a.offsetDays,
          customerId,
        });
        break;
      case 'cancel':
        Object.assign(rows.find((r) => r.id === a.id) ?? {}, { status: 'cancelled' });
        break;
    }
  }
  return rows;
}

const plan = (standing: InvoiceStanding, existing: ExistingReminder[] = [], when = now, zone = 'UTC') =>
  planReminders({ policy, standing, timeZone: zone, now: when, existing });

describe('planReminders', () => {
  it('schedules all five levels of an invoice due in 10 days', () => {
    const due = addDays(today, 10);
    const actions = plan(open(due));
    expect(actions).toEqual(
      policy.steps.map((s) => ({
        kind: 'create',
        level: s.level,
        offsetDays: s.offsetDays,
        scheduledFor: at(due, s.level),
        status: 'scheduled',
      })),
    );
  });

  it('skips the levels already past for an invoice due 8 days ago', () => {
    const actions = plan(open(addDays(today, -8)));
    expect(actions.map((a) => (a.kind === 'create' ? [a.level, a.status] : a.kind))).toEqual([
      [1, 'skipped'],
      [2, 'skipped'],
      [3, 'skipped'],
      [4, 'scheduled'],
      [5, 'scheduled'],
    ]);
  });

  it('schedules a level whose time is exactly now, and skips one a millisecond past', () => {
    const due = { year: 2025, month: 3, day: 23 }; // level 1 at 2025-03-20T09:00Z
    const level1 = (when: Date) =>
      plan(open(due), [], when).find((a) => a.kind === 'create' && a.level === 1);
    expect(level1(new Date('2025-03-20T09:00:00.000Z'))).toMatchObject({ status: 'scheduled' });
    expect(level1(new Date('2025-03-20T09:00:00.001Z'))).toMatchObject({ status: 'skipped' });
  });

  it('plans in the customer time zone', () => {
    const due = addDays(today, 10);
    const [first] = plan(open(due), [], now, 'Asia/Shanghai');
    expect(first).toMatchObject({ scheduledFor: new Date('2025-03-27T01:00:00Z') });
  });

  it('cancels what is still scheduled once the invoice is paid, and leaves the rest', () => {
    const due = addDays(today, -1);
    const rows = apply([], plan(open(due), [], new Date('2025-03-10T00:00:00Z')));
    rows[0]!.status = 'sent';
    const actions = plan({ remindable: false, reason: 'invoice_paid', detail: 'the invoice was paid' }, rows);
    expect(actions).toEqual(
      rows.slice(1).map((r) => ({
        kind: 'cancel',
        id: r.id,
        level: r.level,
        reason: 'invoice_paid',
        detail: 'the invoice was paid',
      })),
    );
  });

  it('re-anchors scheduled reminders (same ids) when the due date moves later, reviving skipped ones', () => {
    const rows = apply([], plan(open(addDays(today, -8))));
    const moved = addDays(today, 20);
    const actions = plan(open(moved), rows);
    expect(actions).toEqual(
      rows.map((r) => ({
        kind: 'reschedule',
        id: r.id,
        level: r.level,
        offsetDays: r.offsetDays,
        scheduledFor: at(moved, r.level),
      })),
    );
  });

  it('cancels a scheduled reminder whose re-anchored time has passed (due date moved earlier)', () => {
    const rows = apply([], plan(open(addDays(today, 10))));
    const actions = plan(open(addDays(today, 2)), rows);
    expect(actions[0]).toMatchObject({ kind: 'cancel', id: rows[0]!.id, reason: 'due_date_changed' });
    expect(actions.slice(1).map((a) => a.kind)).toEqual([
      'reschedule',
      'reschedule',
      'reschedule',
      'reschedule',
    ]);
  });

  it('leaves a scheduled reminder alone while its unchanged time passes (the worker is on it)', () => {
    const rows = apply([], plan(open(addDays(today, 10))));
    expect(plan(open(addDays(today, 10)), rows, new Date('2025-04-30T00:00:00Z'))).toEqual([]);
  });

  it.each(['sent', 'sending', 'unconfirmed'] as const)('never touches a level that is %s', (status) => {
    const rows = apply([], plan(open(addDays(today, 10))));
    rows[0]!.status = status;
    const actions = plan(open(addDays(today, 30)), rows);
    expect(actions.map((a) => a.level)).toEqual([2, 3, 4, 5]);
    const closed = plan({ remindable: false, reason: 'invoice_paid', detail: '' }, rows);
    expect(closed.map((a) => a.level)).toEqual([2, 3, 4, 5]);
  });

  it('schedules the levels still ahead anew when a paid invoice is reopened', () => {
    const due = addDays(today, 3);
    const rows = apply([], plan(open(due), [], new Date('2025-03-01T00:00:00Z')));
    const cancelled = apply(rows, plan({ remindable: false, reason: 'invoice_paid', detail: '' }, rows));
    // Level 1 (due - 3 days = today 09:00) has passed; levels 2..5 are ahead.
    const actions = plan(open(due), cancelled);
    expect(actions.map((a) => [a.kind, a.level])).toEqual([
      ['create', 2],
      ['create', 3],
      ['create', 4],
      ['create', 5],
    ]);
  });

  it('moves scheduled reminders to the new customer of an invoice, keeping their time', () => {
    const rows = apply([], plan(open(addDays(today, 10))));
    const actions = plan(open(addDays(today, 10), 'c-2'), rows);
    expect(actions).toHaveLength(5);
    expect(actions.every((a) => a.kind === 'reschedule')).toBe(true);
  });

  it('cancels a scheduled level the policy no longer has', () => {
    const rows = apply([], plan(open(addDays(today, 10))));
    const shorter: ReminderPolicy = { ...policy, id: 'short', steps: policy.steps.slice(0, 4) };
    const actions = planReminders({
      policy: shorter,
      standing: open(addDays(today, 10)),
      timeZone: 'UTC',
      now,
      existing: rows,
    });
    expect(actions).toEqual([
      {
        kind: 'cancel',
        id: rows[4]!.id,
        level: 5,
        reason: 'policy_changed',
        detail: 'the reminder policy "short" has no level 5',
      },
    ]);
  });
});

// Histories of an invoice: a sequence of states (due-date moves, payment, reopening) in a zone,
// each planned at a later instant.
const ZONES = [
  'UTC',
  'Asia/Shanghai',
  'America/New_York',
  'Pacific/Kiritimati',
  'Pacific/Pago_Pago',
  'Europe/Berlin',
];
const step = fc.record({
  dueShift: fc.integer({ min: -60, max: 60 }),
  paid: fc.boolean(),
  advanceMs: fc.integer({ min: 0, max: 20 * 86_400_000 }),
  zone: fc.constantFrom(...ZONES),
});

describe('planReminders (properties)', () => {
  it('is idempotent, keeps one live reminder per level, never schedules the past, and sends nothing twice', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 8 }), (history) => {
        let rows: ExistingReminder[] = [];
        let when = now;
        for (const s of history) {
          when = new Date(when.getTime() + s.advanceMs);
          const standing: InvoiceStanding = s.paid
            ? { remindable: false, reason: 'invoice_paid', detail: 'paid' }
            : open(addDays(today, s.dueShift));
          const input = { policy, standing, timeZone: s.zone, now: when, existing: rows };
          const actions = planReminders(input);
          for (const a of actions) {
            const before = rows.find((r) => r.id === (a.kind === 'create' ? '' : a.id));
            if (a.kind === 'create') {
              expect(a.status === 'scheduled').toBe(a.scheduledFor.getTime() >= when.getTime());
            }
            if (a.kind === 'reschedule' && before?.scheduledFor.getTime() !== a.scheduledFor.getTime()) {
              expect(a.scheduledFor.getTime()).toBeGreaterThanOrEqual(when.getTime());
            }
            // Final reminders stay final.
            if (a.kind !== 'create') expect(['scheduled', 'skipped']).toContain(before?.status);
          }
          rows = apply(rows, actions, CUSTOMER);
          // Planning the same state again changes nothing.
          expect(planReminders({ ...input, existing: rows })).toEqual([]);
          for (const level of policy.steps.map((p) => p.level)) {
            const live = rows.filter((r) => r.level === level && r.status !== 'cancelled');
            expect(live.length).toBeLessThanOrEqual(1);
          }
          if (s.paid) expect(rows.filter((r) => r.status === 'scheduled')).toEqual([]);
          // Simulate the worker: anything scheduled whose time has come is sent.
          rows = rows.map((r) =>
            r.status === 'scheduled' && r.scheduledFor.getTime() <= when.getTime()
              ? { ...r, status: 'sent' }
              : r,
          );
        }
      }),
      { numRuns: 500 },
    );
  });
});
