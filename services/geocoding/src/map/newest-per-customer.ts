import { compareEventPositions, type EventPosition } from '@duemap/events';

/**
 * Of a batch of events, the one per customer that applying them one by one would leave in place:
 * the newest by customer version (by occurred_at when one has none), the later of equals (the
 * projections' guards apply ties). The others are stale already; a batch then writes each customer
 * once. A batch holds one topic, so a customer's events in it are in the order customers wrote
 * them; only where versioned and unversioned events meet (during the upgrade) can this pick differ
 * from one-by-one application, the rule not being a total order then.
 */
export function newestPerCustomer<T extends { customerId: string } & EventPosition>(
  changes: readonly T[],
): Map<string, T> {
  const newest = new Map<string, T>();
  for (const change of changes) {
    const kept = newest.get(change.customerId);
    if (kept === undefined || compareEventPositions(change, kept) >= 0) {
      newest.set(change.customerId, change);
    }
  }
  return newest;
}
