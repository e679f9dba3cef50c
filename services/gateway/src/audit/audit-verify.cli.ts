/**
 * `npm run audit:verify`: walks the gateway's audit trail from its first row, recomputes every
 * hash and checks every link. Exits 0 printing how many rows were checked, 1 naming the first
 * broken row, 2 when it could not run. Database: DATABASE_URL as the gateway takes it (with
 * `/duemap_gateway` added when it names only a server, as `npm run reconcile` takes it), else the
 * local server's duemap_gateway.
 */
import { Pool } from 'pg';
import { AuditLogStore } from './audit-log.store';
import { verifyAuditLog } from './verify-audit-log';

function databaseUrl(): string {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432');
  if (url.pathname === '' || url.pathname === '/') url.pathname = '/duemap_gateway';
  return url.toString();
}

async function main(): Promise<number> {
  const url = databaseUrl();
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const report = await verifyAuditLog(new AuditLogStore(pool));
    const where = new URL(url);
    where.password = '';
    if (report.broken) {
      console.log(`audit:verify BROKEN at row ${report.broken.seq}: ${report.broken.reason}`);
      console.log(`audit:verify: ${report.checked} rows intact before it (${where.host}${where.pathname})`);
      return 1;
    }
    console.log(
      `audit:verify: ${report.checked} rows checked, chain intact (${where.host}${where.pathname})`,
    );
    return 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`audit:verify could not run: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
