import fc from 'fast-check';
import { OUTBOX_SHARDS, shardOf } from './shard';

describe('shardOf', () => {
  it('is stable and in range for any key', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (key) => {
        const shard = shardOf(key);
        expect(shard).toBe(shardOf(key));
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(OUTBOX_SHARDS);
      }),
    );
  });

  it('spreads uuid-like keys over every shard', () => {
    const counts = new Array<number>(OUTBOX_SHARDS).fill(0);
    for (let i = 0; i < 16_000; i++) counts[shardOf(`customer-${i}-${(i * 7919) % 1000}`)]! += 1;
    // Each shard within 25% of the mean: no shard starves or hogs a relay.
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(250);
  });
});
