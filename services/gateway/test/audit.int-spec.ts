import { spawnSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { exportJWK, generateKeyPair, SignJWT, type KeyLike } from 'jose';
import { Pool } from 'pg';
import { loadConfig } from '@duemap/config';
import { testLogger, type TestDatabase } from '@duemap/testing';
import { gatewayConfig } from '../src/config';
import { createGateway } from '../src/gateway';
import type { AuditEntry } from '../src/audit/audit-chain';
import { AuditLogStore } from '../src/audit/audit-log.store';
import { verifyAuditLog } from '../src/audit/verify-audit-log';
import { createGatewayDatabase } from './gateway-database';

const ROOT = path.resolve(__dirname, '../../..');

function entry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at: new Date().toISOString().replace('Z', '000Z'),
    subject: 'alice',
    kind: 'user',
    keyId: null,
    roles: ['finance'],
    method: 'PUT',
    operation: 'PUT /api/v1/customers/{sourceSystem}/{externalId}',
    resource: { sourceSystem: 'sap', externalId: 'C-1' },
    status: 200,
    address: '127.0.0.1',
    userAgent: 'jest',
    traceId: null,
    ...overrides,
  };
}

/** `npm run audit:verify` against a database, as a user runs it. */
function runVerify(url: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'services/gateway/src/audit/audit-verify.cli.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('audit log (database)', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: AuditLogStore;

  beforeAll(async () => {
    db = await createGatewayDatabase('audit_store');
    pool = new Pool({ connectionString: db.url, max: 4 });
    store = new AuditLogStore(pool);
  }, 60_000);

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('chains batches appended concurrently into one gap-free chain that verifies', async () => {
    await Promise.all(
      Array.from({ length: 6 }, (_, b) =>
        store.append(Array.from({ length: 5 }, (_, i) => entry({ subject: `user-${b}-${i}` }))),
      ),
    );
    const report = await verifyAuditLog(store, 7);
    expect(report).toEqual({ checked: 30, headSeq: '30', broken: undefined });
    const cli = runVerify(db.url);
    expect(cli.stderr).toBe('');
    expect(cli.stdout).toContain('30 rows checked, chain intact');
    expect(cli.status).toBe(0);
  }, 90_000);

  it('refuses UPDATE, DELETE and TRUNCATE of audit_log (append-only trigger)', async () => {
    await expect(pool.query(`UPDATE audit_log SET status = 500 WHERE seq = 1`)).rejects.toThrow(
      /append-only: UPDATE refused/,
    );
    await expect(pool.query(`DELETE FROM audit_log WHERE seq = 1`)).rejects.toThrow(
      /append-only: DELETE refused/,
    );
    await expect(pool.query(`TRUNCATE audit_log`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM audit_log`);
    expect(rows[0]?.n).toBe('30');
  });

  it('names the tampered row when a superuser lifts the trigger and changes a field', async () => {
    const client = await pool.connect();
    try {
      await client.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`);
      await client.query(`UPDATE audit_log SET subject = 'mallory' WHERE seq = 17`);
      await client.query(`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`);
    } finally {
      client.release();
    }
    const report = await verifyAuditLog(store);
    expect(report.checked).toBe(16);
    expect(report.broken).toEqual({
      seq: '17',
      reason: expect.stringContaining('a field was changed') as string,
    });
    const cli = runVerify(db.url);
    expect(cli.stdout).toContain('BROKEN at row 17');
    expect(cli.status).toBe(1);
  }, 90_000);
});

interface AuditRecord {
  seq: string;
  subject: string;
  kind: string;
  roles: string[];
  method: string;
  operation: string | null;
  resource: Record<string, string>;
  status: number;
  address: string | null;
  user_agent: string | null;
  trace_id: string | null;
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
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('audit trail through the gateway', () => {
  const ISSUER = 'https://issuer.audit.test';
  let db: TestDatabase;
  let pool: Pool;
  let app: INestApplication;
  let url: string;
  let jwks: http.Server;
  let customers: http.Server;
  let privateKey: KeyLike;

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

  async function rows(): Promise<AuditRecord[]> {
    const result = await pool.query<AuditRecord>(
      `SELECT seq::text AS seq, subject, kind, roles, method, operation, resource, status, address,
              user_agent, trace_id
         FROM audit_log ORDER BY seq`,
    );
    return result.rows;
  }

  beforeAll(async () => {
    db = await createGatewayDatabase('audit_gateway');
    pool = new Pool({ connectionString: db.url, max: 2 });
    const keys = await generateKeyPair('ES256');
    privateKey = keys.privateKey;
    const publicJwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [publicJwk] }));
    });
    customers = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end('{}');
      });
    });
    const [jwksUrl, customersUrl] = await Promise.all([listen(jwks), listen(customers)]);
    const config = loadConfig(
      gatewayConfig,
      {
        DATABASE_URL: db.url,
        CUSTOMERS_URL: customersUrl,
        INVOICING_URL: customersUrl,
        AUTH_ISSUER: ISSUER,
        AUTH_JWKS_URL: `${jwksUrl}/jwks.json`,
        RATE_LIMIT_KEY_PREFIX: `audit-test-${process.pid}-${Date.now()}`,
      },
      { service: 'gateway' },
    );
    app = await createGateway(config, testLogger());
    await app.listen(0, '127.0.0.1');
    url = String(await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all([jwks && close(jwks), customers && close(customers)]);
    await pool?.end();
    await db?.drop();
  });

  it('records who changed what, with the trace id, and refused attempts; not reads of other data', async () => {
    const admin = await token('ada', ['admin']);
    const traceId = 'abcdef0123456789abcdef0123456789';
    const put = await fetch(`${url}/api/v1/customers/sap/C-42`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${admin}`,
        'content-type': 'application/json',
        'user-agent': 'erp-connector/7',
        traceparent: `00-${traceId}-0123456789abcdef-01`,
      },
      body: '{}',
    });
    expect(put.status).toBe(200);
    const anonymous = await fetch(`${url}/api/v1/customers/sap/C-43`, { method: 'PUT', body: '{}' });
    expect(anonymous.status).toBe(401);
    // Reads of invoices hold no personal data: not recorded.
    expect(
      (await fetch(`${url}/api/v1/invoices`, { headers: { authorization: `Bearer ${admin}` } })).status,
    ).toBe(200);
    const read = await fetch(`${url}/api/v1/customers/0f6b4a4e-1111-4c1c-8f00-000000000001`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(read.status).toBe(200);

    const written = await poll(rows, (r) => r.length >= 3);
    expect(written).toEqual([
      {
        seq: '1',
        subject: 'ada',
        kind: 'user',
        roles: ['admin'],
        method: 'PUT',
        operation: 'PUT /api/v1/customers/{sourceSystem}/{externalId}',
        resource: { sourceSystem: 'sap', externalId: 'C-42' },
        status: 200,
        address: expect.stringMatching(/127\.0\.0\.1$/) as string,
        user_agent: 'erp-connector/7',
        trace_id: traceId,
      },
      expect.objectContaining({
        seq: '2',
        subject: 'anonymous',
        kind: 'anonymous',
        roles: [],
        operation: 'PUT /api/v1/customers/{sourceSystem}/{externalId}',
        resource: { sourceSystem: 'sap', externalId: 'C-43' },
        status: 401,
      }),
      expect.objectContaining({
        seq: '3',
        subject: 'ada',
        method: 'GET',
        operation: 'GET /api/v1/customers/{id}',
        resource: { id: '0f6b4a4e-1111-4c1c-8f00-000000000001' },
        status: 200,
      }),
    ]);
  }, 60_000);

  it('lets admins page through the trail, refuses finance, and records both reads', async () => {
    const admin = await token('ada', ['admin']);
    const finance = await token('fin', ['finance']);
    const denied = await fetch(`${url}/api/v1/audit`, { headers: { authorization: `Bearer ${finance}` } });
    expect(denied.status).toBe(403);

    const first = await fetch(`${url}/api/v1/audit?subject=ada&limit=1`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(first.status).toBe(200);
    const page1 = (await first.json()) as {
      items: { seq: string; operation: string }[];
      nextCursor: string | null;
    };
    expect(page1.items.map((i) => i.seq)).toEqual(['3']);
    expect(page1.nextCursor).toBe('3');
    const second = await fetch(`${url}/api/v1/audit?subject=ada&limit=5&cursor=${page1.nextCursor}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const page2 = (await second.json()) as {
      items: { seq: string; resource: object }[];
      nextCursor: string | null;
    };
    expect(page2.items.map((i) => i.seq)).toEqual(['1']);
    expect(page2.nextCursor).toBeNull();

    const byResource = await fetch(`${url}/api/v1/audit?resource=C-43`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const found = (await byResource.json()) as { items: { seq: string }[] };
    expect(found.items.map((i) => i.seq)).toEqual(['2']);

    const bad = await fetch(`${url}/api/v1/audit?limit=0&from=yesterday`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details: { field: string }[] } };
    expect(body.error.details.map((d) => d.field).sort()).toEqual(['from', 'limit']);

    const nul = await fetch(`${url}/api/v1/audit?resource=a%00b`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(nul.status).toBe(400);
    expect(((await nul.json()) as { error: { details: { field: string }[] } }).error.details).toEqual([
      { field: 'resource', message: 'resource must not contain a NUL character' },
    ]);

    const reads = await poll(
      async () => (await rows()).filter((r) => r.operation === 'GET /api/v1/audit'),
      (r) => r.length >= 6,
    );
    expect(reads.map((r) => r.status)).toEqual([403, 200, 200, 200, 400, 400]);
    // The refused reader is named: authenticated, only not permitted.
    expect(reads[0]).toMatchObject({ subject: 'fin', kind: 'user', roles: ['finance'] });
    expect(await verifyAuditLog(new AuditLogStore(pool))).toMatchObject({ checked: 9, broken: undefined });
  }, 60_000);
});
