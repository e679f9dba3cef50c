import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CONFIG } from '@duemap/config';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GatewayConfig } from '../config';
import { clientAddress } from '../rate-limit/rate-limited-access';

/** Failed sign-ins allowed per user name and address, and per address, within SIGN_IN_FAILURE_WINDOW. */
export interface SignInBlock {
  retryAfterSeconds: number;
}

/**
 * Password guessing on /auth/token and /auth/login: failed attempts are counted per (address, user
 * name) and per address in Redis (shared by every gateway replica; an in-process count while Redis
 * is away). Past either limit the address is refused with 429 until the window passes, even with the
 * right password, so guessing gains nothing; a success clears the (address, user) count.
 */
@Injectable()
export class SignInThrottle implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly perUser: RateLimiterRedis;
  private readonly perAddress: RateLimiterRedis;

  constructor(@Inject(CONFIG) config: GatewayConfig) {
    this.redis = new Redis(config.REDIS_URL, {
      enableOfflineQueue: false,
      commandTimeout: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
      maxRetriesPerRequest: 0,
      connectTimeout: 1000,
      lazyConnect: false,
    });
    this.redis.on('error', () => undefined);
    const duration = Math.max(1, Math.round(config.SIGN_IN_FAILURE_WINDOW / 1000));
    const limiter = (prefix: string, points: number): RateLimiterRedis =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${config.RATE_LIMIT_KEY_PREFIX}:${prefix}`,
        points,
        duration,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: prefix, points, duration }),
      });
    this.perUser = limiter('sign-in-user', config.SIGN_IN_FAILURES_PER_USER);
    this.perAddress = limiter('sign-in-address', config.SIGN_IN_FAILURES_PER_ADDRESS);
  }

  private keys(req: IncomingMessage, username: string): { user: string; address: string } {
    const address = clientAddress(req);
    return { user: `${address}|${username.normalize('NFKC').toLowerCase()}`, address };
  }

  /** A block in force for this address (and user name), checked before the password is. */
  async blocked(req: IncomingMessage, username: string): Promise<SignInBlock | undefined> {
    const keys = this.keys(req, username);
    const [user, address] = await Promise.all([
      this.perUser.get(keys.user).catch(() => null),
      this.perAddress.get(keys.address).catch(() => null),
    ]);
    const over = [
      [user, this.perUser.points],
      [address, this.perAddress.points],
    ] as const;
    let wait = 0;
    for (const [res, points] of over) {
      if (res && res.consumedPoints >= points) wait = Math.max(wait, Math.ceil(res.msBeforeNext / 1000));
    }
    return wait > 0 ? { retryAfterSeconds: wait } : undefined;
  }

  async failed(req: IncomingMessage, username: string): Promise<void> {
    const keys = this.keys(req, username);
    await Promise.all([
      this.perUser.consume(keys.user).catch(ignoreRejection),
      this.perAddress.consume(keys.address).catch(ignoreRejection),
    ]);
  }

  async succeeded(req: IncomingMessage, username: string): Promise<void> {
    await this.perUser.delete(this.keys(req, username).user).catch(() => false);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => this.redis.disconnect());
    else this.redis.disconnect();
  }
}

/** Past the limit `consume` rejects with the counter: the attempt is counted all the same. */
function ignoreRejection(rejection: unknown): void {
  if (!(rejection instanceof RateLimiterRes)) throw rejection;
}
