import { context } from '@opentelemetry/api';

/**
 * The name of one thing a consumer transaction's handlers share, typed by what it holds: keys are
 * compared by identity, so two modules can never meet on the same name by accident, and what
 * `local` returns has the type the key was made with. Declare one per use, at module level:
 * `const PENDING = new ScopeKey<InvoiceUpdate[]>('payments:invoice-view')`.
 */
export class ScopeKey<T> {
  /** Phantom: ties the key to T (invariantly) without holding a value. */
  declare private readonly held?: (value: T) => T;

  /** For logs and traces only. */
  constructor(readonly name: string) {}
}

/**
 * What the events of one consumer transaction share. A transaction may apply many events (a group
 * of several partitions' messages), so work that depends on the result of all of them — recomputing
 * a customer's balance, say — is deferred to the end and done once per key, and work every event
 * needs once — locking a customer row — is memoised.
 */
export class TransactionScope {
  private readonly deferred = new Map<object, () => Promise<void>>();
  private readonly memos = new Map<object, Promise<unknown>>();
  private readonly locals = new Map<object, unknown>();
  private readonly afterCommit: (() => void)[] = [];

  /** A value shared by this transaction's handlers (made by `init` on first use), e.g. a set of ids. */
  local<T>(key: ScopeKey<T>, init: () => T): T {
    if (!this.locals.has(key)) this.locals.set(key, init());
    // Set only here, under this key, from an init of the key's type.
    return this.locals.get(key) as T;
  }

  /**
   * Runs `work` after every event of the transaction has been handled, before commit, once per
   * key (the first registration wins; keys run in the order they were first deferred).
   */
  defer<T>(key: ScopeKey<T>, work: () => Promise<void>): void {
    if (this.deferred.has(key)) return;
    // The work runs in the trace of the event that deferred it first.
    const trace = context.active();
    this.deferred.set(key, () => context.with(trace, work));
  }

  /** The first call with `key` runs `work`; later calls in this transaction share its result. */
  once<T>(key: ScopeKey<Promise<T>>, work: () => Promise<T>): Promise<T> {
    let memo = this.memos.get(key) as Promise<T> | undefined;
    if (memo === undefined) {
      memo = work();
      this.memos.set(key, memo);
    }
    return memo;
  }

  /**
   * Runs `work` once the transaction has committed, and never if it rolls back: a counter of what
   * the transaction did must not count a batch that is rolled back and replayed message by message.
   * Synchronous and best effort (a failure is logged): the transaction is already over.
   */
  onCommit(work: () => void): void {
    this.afterCommit.push(work);
  }

  /** The consumer's part: what `onCommit` collected, handed over once. */
  takeAfterCommit(): (() => void)[] {
    return this.afterCommit.splice(0);
  }

  /** Runs the deferred work; work deferred while it runs runs too. */
  async flush(): Promise<void> {
    while (this.deferred.size > 0) {
      const [key, work] = this.deferred.entries().next().value as [object, () => Promise<void>];
      this.deferred.delete(key);
      await work();
    }
  }
}
