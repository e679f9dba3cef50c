import { ScopeKey, TransactionScope } from './transaction-scope';

const A = new ScopeKey<void>('a');
const B = new ScopeKey<void>('b');

describe('TransactionScope', () => {
  it('runs deferred work once per key, in first-deferred order, at flush', async () => {
    const scope = new TransactionScope();
    const ran: string[] = [];
    scope.defer(B, () => Promise.resolve(void ran.push('b1')));
    scope.defer(A, () => Promise.resolve(void ran.push('a1')));
    scope.defer(B, () => Promise.resolve(void ran.push('b2')));
    expect(ran).toEqual([]);
    await scope.flush();
    expect(ran).toEqual(['b1', 'a1']);
    await scope.flush();
    expect(ran).toEqual(['b1', 'a1']);
  });

  it('runs work deferred by deferred work', async () => {
    const scope = new TransactionScope();
    const ran: string[] = [];
    scope.defer(A, () => {
      ran.push('outer');
      scope.defer(B, () => Promise.resolve(void ran.push('inner')));
      return Promise.resolve();
    });
    await scope.flush();
    expect(ran).toEqual(['outer', 'inner']);
  });

  it('memoises once() per key, failures included', async () => {
    const scope = new TransactionScope();
    let calls = 0;
    const work = (): Promise<number> => Promise.resolve(++calls);
    const [k, other, bad] = ['k', 'other', 'bad'].map((name) => new ScopeKey<Promise<number>>(name)) as [
      ScopeKey<Promise<number>>,
      ScopeKey<Promise<number>>,
      ScopeKey<Promise<number>>,
    ];
    await expect(scope.once(k, work)).resolves.toBe(1);
    await expect(scope.once(k, work)).resolves.toBe(1);
    await expect(scope.once(other, work)).resolves.toBe(2);
    const failing = scope.once(bad, () => Promise.reject(new Error('no')));
    await expect(failing).rejects.toThrow('no');
    await expect(scope.once(bad, work)).rejects.toThrow('no');
  });

  it('keeps one local value per key, keys told apart by identity, not name', () => {
    const scope = new TransactionScope();
    const ids = new ScopeKey<Set<string>>('ids');
    scope.local(ids, () => new Set<string>()).add('a');
    scope.local(ids, () => new Set<string>()).add('b');
    expect([...scope.local(ids, () => new Set<string>())]).toEqual(['a', 'b']);
    const sameName = new ScopeKey<number>('ids');
    expect(scope.local(sameName, () => 0)).toBe(0);
    expect(new TransactionScope().local(ids, () => new Set(['c'])).has('c')).toBe(true);
  });
});
