import { DEFAULT_REMINDER_POLICY, policyForTier, reminderTime } from './reminder-policy';

const due = { year: 2025, month: 3, day: 31 };
const times = (zone: string): string[] =>
  DEFAULT_REMINDER_POLICY.steps.map((s) => reminderTime(DEFAULT_REMINDER_POLICY, s, due, zone).toISOString());

describe('the default reminder policy', () => {
  it('has five levels at -3, 0, +7, +14 and +30 days, at 09:00', () => {
    expect(DEFAULT_REMINDER_POLICY.steps).toEqual([
      { level: 1, offsetDays: -3 },
      { level: 2, offsetDays: 0 },
      { level: 3, offsetDays: 7 },
      { level: 4, offsetDays: 14 },
      { level: 5, offsetDays: 30 },
    ]);
    expect(DEFAULT_REMINDER_POLICY.sendAt).toEqual({ hour: 9, minute: 0 });
  });

  it('is the policy of every tier for now', () => {
    expect(policyForTier('vip')).toBe(DEFAULT_REMINDER_POLICY);
    expect(policyForTier('standard')).toBe(DEFAULT_REMINDER_POLICY);
    expect(policyForTier(undefined)).toBe(DEFAULT_REMINDER_POLICY);
  });

  it("puts each level at 09:00 of the customer's day (Asia/Shanghai, UTC+8)", () => {
    expect(times('Asia/Shanghai')).toEqual([
      '2025-03-28T01:00:00.000Z',
      '2025-03-31T01:00:00.000Z',
      '2025-04-07T01:00:00.000Z',
      '2025-04-14T01:00:00.000Z',
      '2025-04-30T01:00:00.000Z',
    ]);
  });

  it('keeps 09:00 local across a daylight saving switch inside the schedule (Europe/Berlin, 2025-03-30)', () => {
    expect(times('Europe/Berlin')).toEqual([
      '2025-03-28T08:00:00.000Z',
      '2025-03-31T07:00:00.000Z',
      '2025-04-07T07:00:00.000Z',
      '2025-04-14T07:00:00.000Z',
      '2025-04-30T07:00:00.000Z',
    ]);
  });

  it('uses UTC when asked to', () => {
    expect(times('UTC')[1]).toBe('2025-03-31T09:00:00.000Z');
  });
});
