/**
 * `npm run reconcile`: checks the invariants on the databases `npm start` uses
 * (duemap_<service> on DATABASE_URL's server), prints every mismatch, exits 1 if there is one.
 */
import { reconcile } from './reconcile';

function databaseUrl(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

async function main(): Promise<number> {
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432';
  const prefix = process.env.RECONCILE_DB_PREFIX ?? 'duemap_';
  const db = (service: string): string => databaseUrl(server, `${prefix}${service}`);
  const report = await reconcile({
    customers: db('customers'),
    invoicing: db('invoicing'),
    payments: db('payments'),
    geocoding: db('geocoding'),
  });
  for (const m of report.mismatches) {
    console.log(
      `MISMATCH ${m.check.padEnd(11)} customer ${m.customerId}${m.currency ? ` ${m.currency}` : ''}: expected ${m.expected}, found ${m.actual}`,
    );
  }
  console.log(
    `reconcile: ${report.customers} customers checked, ${report.mismatches.length} mismatch${report.mismatches.length === 1 ? '' : 'es'}`,
  );
  return report.mismatches.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`reconcile could not run: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
