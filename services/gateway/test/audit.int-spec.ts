import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { Pool } from 'pg';
import type { TestDatabase } from '@duemap/testing';
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
