import { GroupCommit, type GroupOutcome } from './group-commit';

/** A flush that records its batches and answers each item doubled, once released. */
function recorder(answer: (n: number) => GroupOutcome<number> = (n) => ({ ok: true, value: n * 2 })) {
  const batches: number[][] = [];
  const flush = (items: number[]): Promise<GroupOutcome<number>[]> => {
    batches.push(items);
    return new Promise((resolve) => setImmediate(() => resolve(items.map(answer))));
  };
  return { batches, flush };
}

describe('GroupCommit', () => {
  it('flushes an item at once when idle, and what arrives meanwhile together next', async () => {
    const { batches, flush } = recorder();
    const group = new GroupCommit(flush, { maxBatch: 10 });
    const answers = await Promise.all([1, 2, 3, 4].map((n) => group.submit(n)));
    expect(answers).toEqual([2, 4, 6, 8]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('keeps batches to maxBatch', async () => {
    const { batches, flush } = recorder();
    const group = new GroupCommit(flush, { maxBatch: 2 });
    await Promise.all([1, 2, 3, 4, 5].map((n) => group.submit(n)));
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('defers an item whose key is taken in the batch, keeping the order of the rest', async () => {
    const { batches, flush } = recorder();
    const group = new GroupCommit(flush, { maxBatch: 10, keysOf: (n) => [`parity:${n % 2}`] });
    await Promise.all([1, 2, 3, 4, 5].map((n) => group.submit(n)));
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('rejects the items refused by the flush and only those', async () => {
    const { flush } = recorder((n) =>
      n === 3 ? { ok: false, error: new Error('no 3') } : { ok: true, value: n },
    );
    const group = new GroupCommit(flush, { maxBatch: 10 });
    const settled = await Promise.allSettled([1, 2, 3, 4].map((n) => group.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  });

  it('rejects every item of a batch whose flush throws, and goes on with the next', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>(
      (items) => {
        calls += 1;
        return calls === 2
          ? Promise.reject(new Error('down'))
          : Promise.resolve(items.map((n) => ({ ok: true, value: n })));
      },
      { maxBatch: 10 },
    );
    const settled = await Promise.allSettled([1, 2, 3].map((n) => group.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    await expect(group.submit(4)).resolves.toBe(4);
  });
});
