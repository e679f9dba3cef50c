/** What a flush decided for one item: its answer, or the error its caller gets. */
export type GroupOutcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface GroupCommitOptions<I> {
  /** Most items in one flush. */
  maxBatch: number;
  /**
   * Items that must not share a flush (the same customer, the same idempotency key): an item
   * with a key already in the batch waits for the next one, in the order it came.
   */
  keysOf?: (item: I) => readonly string[];
}

interface Pending<I, R> {
  item: I;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit by natural batching: an item submitted while no flush runs is flushed at once;
 * items submitted while one runs wait for it and then go together into the next. There is no
 * timer, so an idle service adds no delay, and a busy one pays what a flush costs (BEGIN, its
 * statements, the WAL flush of COMMIT) once per batch instead of once per request.
 *
 * `flush` answers every item, in order (an item's own refusal is an outcome, not a throw); if it
 * throws, every item of that batch gets the error.
 */
export class GroupCommit<I, R> {
  private queue: Pending<I, R>[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: I[]) => Promise<GroupOutcome<R>[]>,
    private readonly options: GroupCommitOptions<I>,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.take();
        let outcomes: GroupOutcome<R>[];
        try {
          outcomes = await this.flush(batch.map((p) => p.item));
          if (outcomes.length !== batch.length) {
            throw new Error(`group commit: ${outcomes.length} outcomes for ${batch.length} items`);
          }
        } catch (error) {
          outcomes = batch.map(() => ({ ok: false, error }));
        }
        batch.forEach((pending, i) => {
          const outcome = outcomes[i] as GroupOutcome<R>;
          if (outcome.ok) pending.resolve(outcome.value);
          else pending.reject(outcome.error);
        });
      }
    } finally {
      this.flushing = false;
    }
  }

  /** The next batch: queued items in order, skipping (for now) those whose keys are taken. */
  private take(): Pending<I, R>[] {
    const { maxBatch, keysOf } = this.options;
    if (!keysOf) return this.queue.splice(0, maxBatch);
    const taken = new Set<string>();
    const batch: Pending<I, R>[] = [];
    const rest: Pending<I, R>[] = [];
    for (const pending of this.queue) {
      const keys = keysOf(pending.item);
      if (batch.length >= maxBatch || keys.some((k) => taken.has(k))) {
        rest.push(pending);
        continue;
      }
      for (const k of keys) taken.add(k);
      batch.push(pending);
    }
    this.queue = rest;
    return batch;
  }
}
