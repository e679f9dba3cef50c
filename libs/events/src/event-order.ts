/**
 * Where an event stands in the history of the aggregate it is about (an invoice, a customer, a
 * customer's geocode), or where the state a projection holds stands: the aggregate's version the
 * producer gave the event (0 when the producer predates versions) and its occurred_at.
 */
export interface EventPosition {
  readonly version: bigint;
  readonly occurredAt: Date;
}

/**
 * Orders two positions in one aggregate's history: negative when `a` is older than `b`, positive
 * when it is newer, 0 when neither is. The producer's version decides whenever both sides have one:
 * it is incremented under the aggregate's row lock, so it follows the order of the changes, which
 * the clocks of two producer instances need not. occurred_at decides only when a side has no
 * version (an event of a producer that predates versions, a projection row written before them),
 * which is how every projection compared before versions existed, so the upgrade changes nothing
 * for old events. See proto/README.md and docs/adr/0015.
 */
export function compareEventPositions(a: EventPosition, b: EventPosition): number {
  if (a.version > 0n && b.version > 0n) {
    return a.version === b.version ? 0 : a.version > b.version ? 1 : -1;
  }
  return Math.sign(a.occurredAt.getTime() - b.occurredAt.getTime());
}

/** `event` is not older than `held` (null: nothing held yet), so it applies where ties apply. */
export function isNotOlder(event: EventPosition, held: EventPosition | null): boolean {
  return held === null || compareEventPositions(event, held) >= 0;
}
