import { compareEventPositions, isNotOlder, type EventPosition } from './event-order';

const at = (minute: number) => new Date(Date.UTC(2025, 2, 31, 8, minute));
const pos = (version: bigint, minute: number): EventPosition => ({ version, occurredAt: at(minute) });

describe('compareEventPositions', () => {
  it('orders by version when both sides have one, whatever the clocks said', () => {
    // A later change stamped by a producer whose clock is behind.
    expect(compareEventPositions(pos(5n, 1), pos(4n, 9))).toBe(1);
    expect(compareEventPositions(pos(4n, 9), pos(5n, 1))).toBe(-1);
    expect(compareEventPositions(pos(4n, 1), pos(4n, 9))).toBe(0);
  });

  it('falls back to occurred_at when either side has no version', () => {
    expect(compareEventPositions(pos(0n, 2), pos(7n, 1))).toBe(1);
    expect(compareEventPositions(pos(7n, 1), pos(0n, 2))).toBe(-1);
    expect(compareEventPositions(pos(0n, 3), pos(0n, 3))).toBe(0);
  });
});

describe('isNotOlder', () => {
  it('applies to nothing held, to a tie and to a newer position, not to an older one', () => {
    expect(isNotOlder(pos(1n, 0), null)).toBe(true);
    expect(isNotOlder(pos(3n, 0), pos(3n, 5))).toBe(true);
    expect(isNotOlder(pos(4n, 0), pos(3n, 5))).toBe(true);
    expect(isNotOlder(pos(2n, 9), pos(3n, 5))).toBe(false);
  });
});
