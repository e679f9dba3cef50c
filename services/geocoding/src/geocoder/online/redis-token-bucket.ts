import type { Redis } from 'ioredis';
import { RateLimitExceededError, TokenBucket, type RateLimiter } from './token-bucket';

/**
 * TokenBucket's reservation, atomically in Redis: the time the bucket is full again is one key,
 * read against Redis' own clock (TIME, so replicas' clocks do not matter), moved on by one
 * interval per request. Returns the wait in ms, or -(wait + 1) when it exceeds the maximum (no slot
 * taken). The key expires once the bucket is full again.
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
local fullAt = tonumber(redis.call('GET', KEYS[1]) or '0')
if fullAt < now then fullAt = now end
local wait = fullAt + interval - burst * interval - now
if wait < 0 then wait = 0 end
if wait > maxWait then return -math.ceil(wait) - 1 end
local nextFull = fullAt + interval
redis.call('SET', KEYS[1], string.format('%.3f', nextFull), 'PX', math.ceil(nextFull - now) + 1000)
return math.ceil(wait)
`;

export interface RedisTokenBucketOptions {
  readonly provider: string;
  /** The bucket's key: one per provider endpoint, the same on every replica. */
  readonly key: string;
  readonly ratePerSecond: number;
  readonly burst?: number;
  readonly maxWaitMs: number;
  /** Told once when Redis fails and the in-process bucket takes over (and when Redis is back). */
  readonly onFallback?: (error: Error | undefined) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The provider's rate shared by every replica of the service (GEOCODER_RATE_SCOPE=redis): a
 * public Nominatim's 1 request/s holds however many geocoding processes run. While Redis cannot
 * be reached the in-process TokenBucket limits instead (each process to the full rate, as with
 * GEOCODER_RATE_SCOPE=process), so geocoding does not stop with Redis.
 */
export class RedisTokenBucket implements RateLimiter {
  private readonly local: TokenBucket;
  private readonly intervalMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private degraded = false;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisTokenBucketOptions,
  ) {
    this.local = new TokenBucket(options);
    this.intervalMs = 1000 / options.ratePerSecond;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async take(): Promise<void> {
    let wait: number;
    try {
      wait = Number(
        await this.redis.eval(
          RESERVE,
          1,
          this.options.key,
          String(this.intervalMs),
          String(Math.max(1, Math.floor(this.options.burst ?? 1))),
          String(this.options.maxWaitMs),
        ),
      );
    } catch (err) {
      if (!this.degraded) {
        this.degraded = true;
        this.options.onFallback?.(err instanceof Error ? err : new Error(String(err)));
      }
      return this.local.take();
    }
    if (this.degraded) {
      this.degraded = false;
      this.options.onFallback?.(undefined);
    }
    if (wait < 0) throw new RateLimitExceededError(this.options.provider, -wait - 1);
    if (wait > 0) await this.sleep(wait);
  }
}
