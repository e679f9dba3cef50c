/**
 * Of a batch of events, the one per customer that applying them one by one would leave in place:
 * the newest by occurred-at, the later of equals (the projections' guards are "stored <= new").
 * The others are stale already; a batch then writes each customer once.
 */
export function newestPerCustomer<T extends { customerId: string; occurredAt: Date }>(
  changes: readonly T[],
): Map<string, T> {
  const newest = new Map<string, T>();
  for (const change of changes) {
    const kept = newest.get(change.customerId);
    if (kept === undefined || kept.occurredAt.getTime() <= change.occurredAt.getTime()) {
      newest.set(change.customerId, change);
    }
  }
  return newest;
}
