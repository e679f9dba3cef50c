import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { Pool } from 'pg';
import { IDENTITY_HEADER, InternalIdentity, type Identity } from '@duemap/auth';
import { loadConfig } from '@duemap/config';
import { testLogger, type TestDatabase } from '@duemap/testing';
import { gatewayConfig } from '../src/config';
import { createGateway } from '../src/gateway';
import { createGatewayDatabase } from './gateway-database';

const ROOT = path.resolve(__dirname, '../../..');
const ISSUER = 'https://issuer.api-keys.test';
const KEY_FORMAT = /^dm_[0-9a-f]{32}_[A-Za-z0-9_-]{43}$/;

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

interface IssuedKey {
  id: string;
  key: string;
  name: string;
  state: string;
  scope: string[] | null;
  sources: string[] | null;
  rotatedFrom: string | null;
  lastUsedAt: string | null;
  [field: string]: unknown;
}

interface ErrorBody {
  error: { code: string; message: string; details: { field?: string; message: string }[] };
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * `npm run api-keys -- ...` against a database, as an operator runs it. Asynchronously: the gateway
 * under test runs in this process, and a blocked event loop would let its idle keep-alive sockets
 * close under the next request.
 */
function runCli(
  url: string,
  args: string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'services/gateway/src/api-keys/api-keys.cli.ts', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: url }, encoding: 'utf8', timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err && typeof err.code === 'number' ? err.code : err ? null : 0;
        resolve({ status: code, stdout, stderr });
      },
    );
  });
}

describe('API keys through the gateway', () => {
  const seen: Seen[] = [];
  let db: TestDatabase;
  let pool: Pool;
  let app: INestApplication;
  let url: string;
  let jwks: http.Server;
  let upstream: http.Server;
  let privateKey: KeyLike;
  let admin: string;
  let finance: string;

  function token(subject: string, roles: string[]): Promise<string> {
    return new SignJWT({ roles })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience('duemap')
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(privateKey);
  }

  function call(
    method: string,
    route: string,
    auth: Record<string, string>,
    body?: unknown,
  ): Promise<Response> {
    return fetch(`${url}${route}`, {
      method,
      headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const apiKey = (k: string) => ({ 'x-api-key': k });

  async function create(body: Record<string, unknown>): Promise<IssuedKey> {
    const res = await call('POST', '/api/v1/api-keys', bearer(admin), body);
    expect(res.status).toBe(201);
    return (await res.json()) as IssuedKey;
  }

  beforeAll(async () => {
    db = await createGatewayDatabase('api_keys');
    pool = new Pool({ connectionString: db.url, max: 2 });
    const keys = await generateKeyPair('ES256');
    privateKey = keys.privateKey;
    const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    upstream = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url !== '/api/docs-json')
          seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
        res.statusCode = req.url === '/api/docs-json' ? 404 : 200;
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    });
    const [jwksUrl, upstreamUrl] = await Promise.all([listen(jwks), listen(upstream)]);
    const config = loadConfig(
      gatewayConfig,
      {
        DATABASE_URL: db.url,
        CUSTOMERS_URL: upstreamUrl,
        INVOICING_URL: upstreamUrl,
        PAYMENTS_URL: upstreamUrl,
        GEOCODING_URL: upstreamUrl,
        NOTIFICATIONS_URL: upstreamUrl,
        AUTH_ISSUER: ISSUER,
        AUTH_JWKS_URL: `${jwksUrl}/jwks.json`,
        RATE_LIMIT_KEY_PREFIX: `api-keys-test-${process.pid}-${Date.now()}`,
      },
      { service: 'gateway' },
    );
    app = await createGateway(config, testLogger());
    await app.listen(0, '127.0.0.1');
    url = String(await app.getUrl()).replace('[::1]', '127.0.0.1');
    [admin, finance] = await Promise.all([token('ada', ['admin']), token('fin', ['finance'])]);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all([jwks && close(jwks), upstream && close(upstream)]);
    await pool?.end();
    await db?.drop();
  });

  it('issues a key once, which then works for an in-scope operation as api-key:<id>', async () => {
    const issued = await create({
      name: 'sap-connector',
      scope: ['customers:write', 'invoices:write'],
      sources: ['sap'],
    });
    expect(issued).toMatchObject({
      name: 'sap-connector',
      roles: ['integration'],
      scope: ['customers:write', 'invoices:write'],
      sources: ['sap'],
      state: 'active',
      createdBy: 'ada',
      rotatedFrom: null,
    });
    expect(issued.key).toMatch(KEY_FORMAT);
    expect(issued.key.startsWith(String(issued['prefix']))).toBe(true);

    for (const auth of [apiKey(issued.key), { authorization: `ApiKey ${issued.key}` }]) {
      const res = await call('PUT', '/api/v1/customers/sap/C-1', auth, {});
      expect(res.status).toBe(200);
      const reached = seen.at(-1);
      expect(reached?.url).toBe('/api/v1/customers/sap/C-1');
      // The service gets the signed identity, never the key.
      expect(reached?.headers['x-api-key']).toBeUndefined();
      expect(reached?.headers.authorization).toBeUndefined();
      const identity: Identity = await new InternalIdentity(
        'duemap-development-identity-secret-not-for-production',
      ).verify(String(reached?.headers[IDENTITY_HEADER]));
      expect(identity).toMatchObject({
        subject: `api-key:${issued.id}`,
        kind: 'api-key',
        roles: ['integration'],
        scope: ['customers:write', 'invoices:write'],
        sources: ['sap'],
        keyId: issued.id,
      });
    }

    // The table keeps a 32-byte hash, not the secret.
    const { rows } = await pool.query<{ hash_length: number; prefix: string }>(
      `SELECT length(secret_hash) AS hash_length, prefix FROM api_keys WHERE id = $1`,
      [issued.id],
    );
    expect(rows).toEqual([{ hash_length: 32, prefix: issued['prefix'] }]);
    const listed = await poll(
      async () => {
        const res = await call('GET', '/api/v1/api-keys', bearer(admin));
        return ((await res.json()) as { items: IssuedKey[] }).items.find((k) => k.id === issued.id);
      },
      (k) => k?.lastUsedAt !== null,
    );
    expect(listed).not.toHaveProperty('key');
    expect(JSON.stringify(listed)).not.toContain(issued.key.slice(36));
    expect(Object.keys(listed ?? {})).not.toContain('secretHash');
  });

  it('refuses an out-of-scope operation and a source system the key is not for with 403', async () => {
    const { key } = await create({ name: 'sap-only', scope: ['customers:write'], sources: ['sap'] });
    const before = seen.length;
    const read = await call('GET', '/api/v1/customers/0f6b4a4e-1111-4c1c-8f00-000000000001', apiKey(key));
    expect(read.status).toBe(403);
    const invoice = await call('PUT', '/api/v1/invoices/sap/INV-1', apiKey(key), {});
    expect(invoice.status).toBe(403);
    const kingdee = await call('PUT', '/api/v1/customers/kingdee/X', apiKey(key), {});
    expect(kingdee.status).toBe(403);
    expect(((await kingdee.json()) as ErrorBody).error.message).toContain('kingdee');
    const manage = await call('GET', '/api/v1/api-keys', apiKey(key));
    expect(manage.status).toBe(403);
    expect(seen.length).toBe(before);
  });

  it('refuses garbage and unknown keys with 401', async () => {
    const { key } = await create({ name: 'to-mangle' });
    const wrongSecret = `${key.slice(0, 36)}${'A'.repeat(43)}`;
    const unknownId = `dm_${'0'.repeat(32)}_${key.slice(36)}`;
    for (const bad of ['garbage', 'dm_', wrongSecret, unknownId, '']) {
      const res = await call('PUT', '/api/v1/customers/sap/C-2', apiKey(bad), {});
      expect(res.status).toBe(401);
      expect(((await res.json()) as ErrorBody).error.code).toBe('UNAUTHENTICATED');
    }
    expect((await call('GET', '/api/v1/invoices', { authorization: 'ApiKey nope' })).status).toBe(401);
  });

  it('rotates: the old key stops at once, the new one works; with a grace period both work until it ends', async () => {
    const first = await create({ name: 'bank-feed', roles: ['integration'], scope: ['payments:write'] });
    const res = await call('POST', `/api/v1/api-keys/${first.id}/rotate`, bearer(admin));
    expect(res.status).toBe(201);
    const second = (await res.json()) as IssuedKey;
    expect(second).toMatchObject({ name: 'bank-feed', scope: ['payments:write'], rotatedFrom: first.id });
    expect(second.key).toMatch(KEY_FORMAT);
    expect((await call('POST', '/api/v1/payments', apiKey(first.key), {})).status).toBe(401);
    expect((await call('POST', '/api/v1/payments', apiKey(second.key), {})).status).toBe(200);

    const graced = await call('POST', `/api/v1/api-keys/${second.id}/rotate`, bearer(admin), {
      graceSeconds: 3600,
    });
    expect(graced.status).toBe(201);
    const third = (await graced.json()) as IssuedKey;
    expect((await call('POST', '/api/v1/payments', apiKey(second.key), {})).status).toBe(200);
    expect((await call('POST', '/api/v1/payments', apiKey(third.key), {})).status).toBe(200);
    const list = (await (await call('GET', '/api/v1/api-keys', bearer(admin))).json()) as {
      items: IssuedKey[];
    };
    expect(list.items.find((k) => k.id === second.id)?.state).toBe('rotating');
    expect(list.items.find((k) => k.id === first.id)?.state).toBe('revoked');

    const again = await call('POST', `/api/v1/api-keys/${second.id}/rotate`, bearer(admin));
    expect(again.status).toBe(409);
    // The grace period ends: the rotated key stops (within the cache TTL on other instances).
    await pool.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [second.id]);
    await poll(
      async () => (await call('POST', '/api/v1/payments', apiKey(second.key), {})).status,
      (status) => status === 401,
      10_000,
    );
  });

  it('revokes: the key is refused at once through this gateway', async () => {
    const { id, key } = await create({ name: 'to-revoke', scope: ['invoices:write'] });
    expect((await call('PUT', '/api/v1/invoices/sap/INV-2', apiKey(key), {})).status).toBe(200);
    const res = await call('DELETE', `/api/v1/api-keys/${id}`, bearer(admin));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id, state: 'revoked' });
    expect((await call('PUT', '/api/v1/invoices/sap/INV-2', apiKey(key), {})).status).toBe(401);
    expect((await call('DELETE', `/api/v1/api-keys/${id}`, bearer(admin))).status).toBe(200);
    expect(
      (await call('DELETE', `/api/v1/api-keys/0f6b4a4e-1111-4c1c-8f00-000000000001`, bearer(admin))).status,
    ).toBe(404);
    expect((await call('POST', `/api/v1/api-keys/${id}/rotate`, bearer(admin))).status).toBe(409);
  });

  it('answers 400 naming the field for a bad request', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, 'name'],
      [{ name: 'x', scope: ['api-keys:manage'] }, 'scope'],
      [{ name: 'x', scope: ['customers:fly'] }, 'scope'],
      [{ name: 'x', roles: ['root'] }, 'roles'],
      [{ name: 'x', sources: ['SAP'] }, 'sources'],
      [{ name: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: 'x', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
      [{ name: 'x', secret: 'mine' }, 'secret'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', '/api/v1/api-keys', bearer(admin), body);
      expect(res.status).toBe(400);
      const error = ((await res.json()) as ErrorBody).error;
      expect(error.details.map((d) => d.field)).toContain(field);
    }
    const { id } = await create({ name: 'grace' });
    const grace = await call('POST', `/api/v1/api-keys/${id}/rotate`, bearer(admin), {
      graceSeconds: 86_401,
    });
    expect(grace.status).toBe(400);
    expect(((await grace.json()) as ErrorBody).error.details[0]?.field).toBe('graceSeconds');
    const notJson = await fetch(`${url}/api/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(admin), 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(notJson.status).toBe(400);
    const text = await fetch(`${url}/api/v1/api-keys`, {
      method: 'POST',
      headers: { ...bearer(admin), 'content-type': 'text/plain' },
      body: 'name=x',
    });
    expect(text.status).toBe(415);
    const huge = await call('POST', '/api/v1/api-keys', bearer(admin), { name: 'x'.repeat(20_000) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as ErrorBody).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses key management to a non-admin with 403 and to nobody with 401', async () => {
    const { id } = await create({ name: 'guarded' });
    const fin = bearer(finance);
    expect((await call('GET', '/api/v1/api-keys', fin)).status).toBe(403);
    expect((await call('POST', '/api/v1/api-keys', fin, { name: 'mine' })).status).toBe(403);
    expect((await call('POST', `/api/v1/api-keys/${id}/rotate`, fin)).status).toBe(403);
    expect((await call('DELETE', `/api/v1/api-keys/${id}`, fin)).status).toBe(403);
    expect((await call('GET', '/api/v1/api-keys', {})).status).toBe(401);
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM api_keys WHERE name = 'mine'`,
    );
    expect(rows[0]?.n).toBe('0');
  });

  it('issues a key from the CLI that the gateway admits, and stops it within the cache TTL when the CLI revokes it', async () => {
    const created = await runCli(db.url, [
      'create',
      '--name',
      'cli-connector',
      '--scope',
      'customers:write,invoices:write',
      '--sources',
      'sap',
    ]);
    expect(created.stderr).toBe('');
    expect(created.status).toBe(0);
    const key = /key: +(\S+)/.exec(created.stdout)?.[1] ?? '';
    const id = /id: +(\S+)/.exec(created.stdout)?.[1] ?? '';
    expect(key).toMatch(KEY_FORMAT);
    expect((await call('PUT', '/api/v1/customers/sap/C-9', apiKey(key), {})).status).toBe(200);

    const bad = await runCli(db.url, ['create', '--name', 'x', '--scope', 'api-keys:manage']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('scope');

    const revoked = await runCli(db.url, ['revoke', id]);
    expect(revoked.status).toBe(0);
    const started = Date.now();
    await poll(
      async () => (await call('PUT', '/api/v1/customers/sap/C-9', apiKey(key), {})).status,
      (status) => status === 401,
      15_000,
    );
    // Another process revoked it: this gateway's cache held the row at most 5 s (plus a slow machine).
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 120_000);

  it('documents the gateway operations in the merged OpenAPI document, with their security', async () => {
    const doc = (await (await fetch(`${url}/api/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: unknown; 'x-permission'?: string }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['apiKey', 'bearer']);
    expect(doc.paths['/api/v1/api-keys']?.['post']).toMatchObject({
      security: [{ bearer: [] }, { apiKey: [] }],
      'x-permission': 'api-keys:manage',
    });
    expect(doc.paths['/api/v1/api-keys/{id}/rotate']?.['post']?.['x-permission']).toBe('api-keys:manage');
    expect(doc.paths['/api/v1/api-keys/{id}']?.['delete']?.['x-permission']).toBe('api-keys:manage');
    expect(doc.paths['/api/v1/me']?.['get']?.['x-permission']).toBe('self:read');
    // The stand-in services publish no document: these are the gateway's own, each in the matrix.
    const operations = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item).map(([method, op]) => ({ op: `${method} ${p}`, permission: op['x-permission'] })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(5);
    expect(operations.filter((o) => !o.permission || !o.op.includes(' /api/v1'))).toEqual([]);
  });
});
