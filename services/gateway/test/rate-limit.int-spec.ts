import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Identity } from '@duemap/auth';
import { loadConfig } from '@duemap/config';
import { testLogger } from '@duemap/testing';
import type { Admission, Denial, GatewayAccess } from '../src/access/gateway-access';
import { gatewayConfig } from '../src/config';
import { ApiForwarder } from '../src/routing/api.forwarder';
import { RateLimitedAccess, withRateLimits } from '../src/rate-limit/rate-limited-access';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Who the fake authentication says is calling: `Authorization: Bearer <subject>`, or 401. */
class FakeAuth implements GatewayAccess {
  admit(req: IncomingMessage): Promise<Denial | Admission> {
    const subject = req.headers.authorization?.replace(/^Bearer /, '');
    if (!subject || subject === 'bad') {
      return Promise.resolve({ status: 401, code: 'UNAUTHENTICATED', message: 'sign in' });
    }
    const identity: Identity = {
      subject,
      kind: subject.startsWith('key-') ? 'api-key' : 'user',
      roles: ['viewer'],
      ...(subject.startsWith('key-') ? { keyId: subject } : {}),
    };
    return Promise.resolve({
      identity,
      operation: {
        key: 'GET /api/v1/me',
        permission: 'me:read',
        params: {},
      } as unknown as Admission['operation'],
      signedIdentity: 'signed',
    });
  }

  finished(): void {}
}

function config(env: Record<string, string>) {
  return loadConfig(
    gatewayConfig,
    {
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: `rl-int-${randomUUID()}`,
      RATE_LIMIT_WINDOW: '60s',
      RATE_LIMIT_BURST: '0',
      ...env,
    },
    { service: 'gateway' },
  );
}

/** A gateway front (the real forwarder) whose admission is the rate limits around FakeAuth. */
async function front(access: RateLimitedAccess, shared = true) {
  if (shared) await access.shared();
  const cfg = config({});
  const forwarder = new ApiForwarder(cfg, testLogger(), access, (_req, res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  const server = http.createServer((req, res) => forwarder.handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    /** GET /api/v1/me from a chosen local address (127.0.0.x are all loopback on Linux). */
    call: (from: string, subject?: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/v1/me',
            localAddress: from,
            agent: false,
            headers: subject ? { authorization: `Bearer ${subject}` } : {},
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (body += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
          },
        );
        req.on('error', reject);
        req.end();
      }),
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      forwarder.close();
      await access.close();
    },
  };
}

describe('gateway rate limits (real Redis)', () => {
  it('answers 429 with Retry-After beyond the per-address limit; another address is unaffected', async () => {
    const access = withRateLimits(
      new FakeAuth(),
      config({ RATE_LIMIT_PER_ADDRESS: '5', RATE_LIMIT_PER_PRINCIPAL: '1000' }),
    );
    const gw = await front(access);
    try {
      for (let i = 0; i < 5; i++) expect((await gw.call('127.0.0.2', `user-${i}`)).status).toBe(200);
      const refused = await gw.call('127.0.0.2', 'user-9');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(refused.headers['ratelimit-limit']).toBe('5');
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      expect(JSON.parse(refused.body)).toEqual({
        error: { code: 'RATE_LIMITED', message: expect.stringMatching(/too many requests/), details: [] },
      });
      expect((await gw.call('127.0.0.3', 'user-9')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('counts refused sign-ins harder against their address', async () => {
    const access = withRateLimits(
      new FakeAuth(),
      config({ RATE_LIMIT_PER_ADDRESS: '20', RATE_LIMIT_FAILED_SIGN_IN_COST: '10' }),
    );
    const gw = await front(access);
    try {
      expect((await gw.call('127.0.0.4', 'bad')).status).toBe(401);
      expect((await gw.call('127.0.0.4', 'bad')).status).toBe(401);
      // Twenty points spent by two failures: the next call, even a good one, waits.
      expect((await gw.call('127.0.0.4', 'alice')).status).toBe(429);
      expect((await gw.call('127.0.0.5', 'alice')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('limits each principal on its own, with a higher limit for API keys', async () => {
    const access = withRateLimits(
      new FakeAuth(),
      config({ RATE_LIMIT_PER_ADDRESS: '1000', RATE_LIMIT_PER_PRINCIPAL: '3', RATE_LIMIT_PER_API_KEY: '6' }),
    );
    const gw = await front(access);
    try {
      for (let i = 0; i < 3; i++) expect((await gw.call('127.0.0.6', 'alice')).status).toBe(200);
      const refused = await gw.call('127.0.0.6', 'alice');
      expect(refused.status).toBe(429);
      expect(refused.headers['retry-after']).toBeDefined();
      expect((await gw.call('127.0.0.6', 'bob')).status).toBe(200);
      for (let i = 0; i < 6; i++) expect((await gw.call('127.0.0.6', 'key-erp')).status).toBe(200);
      expect((await gw.call('127.0.0.6', 'key-erp')).status).toBe(429);
    } finally {
      await gw.close();
    }
  });

  it('keeps answering, and limiting, in process while Redis cannot be reached', async () => {
    // Nothing listens on the discard port: every Redis command fails at once.
    const access = withRateLimits(
      new FakeAuth(),
      config({ REDIS_URL: 'redis://127.0.0.1:9', RATE_LIMIT_PER_ADDRESS: '3' }),
    );
    const gw = await front(access, false);
    try {
      for (let i = 0; i < 3; i++) expect((await gw.call('127.0.0.7', 'alice')).status).toBe(200);
      expect((await gw.call('127.0.0.7', 'alice')).status).toBe(429);
      expect((await gw.call('127.0.0.8', 'alice')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
