/** A request would wait longer than the bucket allows: the caller answers without the provider. */
export class RateLimitExceededError extends Error {
  constructor(
    readonly provider: string,
    readonly waitMs: number,
  ) {
    super(`${provider}: the next request slot is ${Math.ceil(waitMs)} ms away, more than the queue allows`);
    this.name = 'RateLimitExceededError';
  }
}

export interface TokenBucketOptions {
  /** Names the provider in errors. */
  readonly provider: string;
  /** Tokens added per second (GEOCODER_RATE_PER_SECOND). */
  readonly ratePerSecond: number;
  /** Tokens the bucket holds when idle: how many requests may go at once after a pause. */
  readonly burst?: number;
  /**
   * Longest a request may wait for its token (GEOCODER_MAX_WAIT); this bounds the queue to about
   * `maxWaitMs x ratePerSecond` requests, and one past that is refused at once.
   */
  readonly maxWaitMs: number;
  /** Clock and timer, replaceable in tests. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** What OnlineGeocoder waits on before each request: TokenBucket, or RedisTokenBucket across replicas. */
export interface RateLimiter {
  /** Resolves when this request may go; rejects with RateLimitExceededError past the allowed wait. */
  take(): Promise<void>;
}

/**
 * A token bucket per provider, in process, in the GCRA form: instead of a list of waiters it keeps
 * the time the next token is free, and each request reserves the next slot and sleeps until it.
 * Requests thus leave in arrival order, spaced 1/rate apart once the burst is spent, and a request
 * whose slot lies beyond `maxWaitMs` takes no slot and fails (RateLimitExceededError) instead of
 * queueing without bound. Per process: N replicas together send up to N x rate; RedisTokenBucket shares one (ADR 0021).
 */
export class TokenBucket implements RateLimiter {
  private readonly intervalMs: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** When the bucket would be full again ("theoretical arrival time" of GCRA). */
  private fullAt = 0;

  constructor(private readonly options: TokenBucketOptions) {
    if (!(options.ratePerSecond > 0)) throw new Error('ratePerSecond must be > 0');
    this.intervalMs = 1000 / options.ratePerSecond;
    this.burst = Math.max(1, Math.floor(options.burst ?? 1));
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** How long a request arriving now would wait for its token (0 when one is free). */
  waitMs(): number {
    const now = this.now();
    const fullAt = Math.max(this.fullAt, now);
    return Math.max(0, fullAt + this.intervalMs - this.burst * this.intervalMs - now);
  }

  /** Resolves when this request may go; rejects with RateLimitExceededError past maxWaitMs. */
  async take(): Promise<void> {
    const wait = this.waitMs();
    if (wait > this.options.maxWaitMs) throw new RateLimitExceededError(this.options.provider, wait);
    this.fullAt = Math.max(this.fullAt, this.now()) + this.intervalMs;
    if (wait > 0) await this.sleep(wait);
  }
}
