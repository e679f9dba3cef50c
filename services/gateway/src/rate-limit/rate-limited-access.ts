import type { IncomingMessage, ServerResponse } from 'node:http';
import { Redis } from 'ioredis';
import type { GatewayConfig } from '../config';
import { isDenial, type Admission, type Denial, type GatewayAccess } from '../access/gateway-access';
import { RateLimits } from './rate-limits';

/** The address a request came from; the socket's, since X-Forwarded-For is whatever a client says. */
export function clientAddress(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

/**
 * Wraps an admission with the gateway's rate limits: the per-address limit first (before any token
 * is checked, so a flood of bad tokens costs us one counter each), a refused sign-in counted harder
 * against its address, and the per-principal limit once the caller is known.
 */
export class RateLimitedAccess implements GatewayAccess {
  constructor(
    private readonly inner: GatewayAccess,
    private readonly limits: RateLimits,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
    /** Resolves once the counters are shared (Redis connected); until then they are per process. */
    readonly shared: () => Promise<void> = () => Promise.resolve(),
  ) {}

  async admit(req: IncomingMessage): Promise<Denial | Admission> {
    const address = clientAddress(req);
    const byAddress = await this.limits.admitAddress(address);
    if (byAddress) return byAddress;
    const result = await this.inner.admit(req);
    if (isDenial(result)) {
      if (result.status === 401) await this.limits.failedSignIn(address);
      return result;
    }
    return (await this.limits.admitPrincipal(result.identity)) ?? result;
  }

  finished(req: IncomingMessage, res: ServerResponse, admission: Admission | undefined): void {
    this.inner.finished(req, res, admission);
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

/** The rate limits of GatewayConfig around `inner`, on a Redis connection of their own. */
export function withRateLimits(inner: GatewayAccess, config: GatewayConfig): RateLimitedAccess {
  const redis = new Redis(config.REDIS_URL, {
    // Commands fail at once while disconnected, and a hung Redis after RATE_LIMIT_REDIS_TIMEOUT,
    // so the in-process insurance limiter answers instead of requests waiting on Redis.
    enableOfflineQueue: false,
    commandTimeout: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
  });
  // ioredis reconnects by itself; an error event without a listener would crash the process.
  redis.on('error', () => undefined);
  const limits = new RateLimits(redis, {
    windowMs: config.RATE_LIMIT_WINDOW,
    perAddress: config.RATE_LIMIT_PER_ADDRESS,
    perPrincipal: config.RATE_LIMIT_PER_PRINCIPAL,
    perApiKey: config.RATE_LIMIT_PER_API_KEY,
    burst: config.RATE_LIMIT_BURST,
    burstWindowMs: config.RATE_LIMIT_BURST_WINDOW,
    failedSignInCost: config.RATE_LIMIT_FAILED_SIGN_IN_COST,
    keyPrefix: config.RATE_LIMIT_KEY_PREFIX,
  });
  return new RateLimitedAccess(
    inner,
    limits,
    async () => {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
    () =>
      redis.status === 'ready'
        ? Promise.resolve()
        : new Promise((resolve) => redis.once('ready', () => resolve())),
  );
}
