import type { Identity } from '@duemap/auth';
import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { Denial } from '../access/gateway-access';

export interface RateLimitSettings {
  /** The window each limit counts over (RATE_LIMIT_WINDOW), in milliseconds. */
  windowMs: number;
  /** Requests per window from one client address, before authentication. */
  perAddress: number;
  /** Requests per window of one signed-in principal (a token's subject). */
  perPrincipal: number;
  /** Requests per window of one API key. */
  perApiKey: number;
  /** Extra requests beyond a window's limit, refilled over burstWindowMs. */
  burst: number;
  burstWindowMs: number;
  /** Points a refused sign-in (401) costs its address, so guessing is slower than using. */
  failedSignInCost: number;
  /** Prefix of the counters' Redis keys. */
  keyPrefix: string;
}

/** One limit: the Redis counters, an in-process copy while Redis is away, and a burst allowance. */
class Limit {
  private readonly limiter: BurstyRateLimiter | RateLimiterRedis;
  private readonly main: RateLimiterRedis;
  private readonly windowSeconds: number;

  constructor(
    readonly name: string,
    readonly points: number,
    redis: Redis,
    settings: RateLimitSettings,
  ) {
    const store = (prefix: string, points: number, ms: number): RateLimiterRedis => {
      const options: ConstructorParameters<typeof RateLimiterRedis>[0] = {
        storeClient: redis,
        keyPrefix: `${settings.keyPrefix}:${prefix}`,
        points,
        duration: Math.max(1, Math.round(ms / 1000)),
        // A Redis that is down or reconnecting is not waited for: the in-process limiter counts
        // instead (per gateway process, so the limit is looser across replicas, but the API stays up).
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({
          keyPrefix: `${settings.keyPrefix}:${prefix}`,
          points,
          duration: Math.max(1, Math.round(ms / 1000)),
        }),
      };
      return new RateLimiterRedis(options);
    };
    this.windowSeconds = Math.max(1, Math.round(settings.windowMs / 1000));
    this.main = store(name, points, settings.windowMs);
    this.limiter =
      settings.burst > 0
        ? new BurstyRateLimiter(this.main, store(`${name}-burst`, settings.burst, settings.burstWindowMs))
        : this.main;
  }

  /** undefined when let through; else the 429 with when to try again. */
  async consume(key: string, what: string): Promise<Denial | undefined> {
    try {
      await this.limiter.consume(key);
      return undefined;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      return this.denial(rejection, what);
    }
  }

  /** Counts extra points against a key (a refused sign-in), without refusing this request. */
  async penalise(key: string, points: number): Promise<void> {
    await this.main.penalty(key, points);
  }

  private denial(res: RateLimiterRes, what: string): Denial {
    const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return {
      status: 429,
      code: 'RATE_LIMITED',
      message: `too many requests from this ${what}; try again in ${seconds} s`,
      headers: {
        'retry-after': String(seconds),
        // draft-ietf-httpapi-ratelimit-headers: the limit, what is left of it, seconds to its reset.
        'ratelimit-limit': String(this.points),
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(seconds),
        'ratelimit-policy': `${this.points};w=${this.windowSeconds}`,
      },
    };
  }
}

/**
 * The gateway's rate limits, counted in Redis so every gateway replica shares them: per client
 * address before authentication (refused sign-ins cost more), and per principal after it — the
 * token's subject, or the API key, which may have a higher limit.
 */
export class RateLimits {
  private readonly address: Limit;
  private readonly principal: Limit;
  private readonly apiKey: Limit;

  constructor(
    redis: Redis,
    private readonly settings: RateLimitSettings,
  ) {
    this.address = new Limit('address', settings.perAddress, redis, settings);
    this.principal = new Limit('principal', settings.perPrincipal, redis, settings);
    this.apiKey = new Limit('api-key', settings.perApiKey, redis, settings);
  }

  admitAddress(address: string): Promise<Denial | undefined> {
    return this.address.consume(address, 'address');
  }

  async failedSignIn(address: string): Promise<void> {
    // The request itself has already counted one point.
    if (this.settings.failedSignInCost > 1)
      await this.address.penalise(address, this.settings.failedSignInCost - 1);
  }

  admitPrincipal(identity: Identity): Promise<Denial | undefined> {
    if (identity.keyId !== undefined) return this.apiKey.consume(identity.keyId, 'API key');
    return this.principal.consume(`${identity.kind}:${identity.subject}`, 'principal');
  }
}
