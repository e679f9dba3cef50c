/**
 * Outbox rows are spread over a fixed number of shards by message key. A relay instance claims
 * whole shards (with a transaction-scoped advisory lock), so all events of one customer are
 * published by one relay at a time, in id order, however many relays run.
 */
export const OUTBOX_SHARDS = 16;

/** FNV-1a: tiny, stable across processes and versions, good enough spread for shard choice. */
export function shardOf(key: string, shards: number = OUTBOX_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}
