/** What to do with a request whose idempotency key may have been seen before. */
export type IdempotencyDecision = 'new' | 'replay' | 'conflict';

/**
 * No payment under the key: go ahead. One with the same request hash: answer that payment again
 * (a retry). One with another hash: the key was reused for a different request, which is refused
 * rather than guessed at.
 */
export function decideIdempotency(
  existing: { requestHash: string } | null | undefined,
  requestHash: string,
): IdempotencyDecision {
  if (existing === null || existing === undefined) return 'new';
  return existing.requestHash === requestHash ? 'replay' : 'conflict';
}
