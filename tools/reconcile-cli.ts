/**
 * `npm run reconcile`: checks the invariants on the databases `npm start` uses
 * (duemap_<service> on DATABASE_URL's server), prints every mismatch, exits 1 if there is one.
 */
import { reconcile, type Mismatch } from './reconcile';

function databaseUrl(server: string, name: string): string {
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

function line(m: Mismatch): string {
  const subject = [
    m.customerId ? `customer ${m.customerId}` : '',
    m.paymentId ? `payment ${m.paymentId}` : '',
    m.invoiceId ? `invoice ${m.invoiceId}` : '',
    m.currency ?? '',
  ]
    .filter(Boolean)
    .join(' ');
  return `MISMATCH ${m.check.padEnd(19)} ${subject}: expected ${m.expected}, found ${m.actual}`;
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
  for (const m of report.mismatches) console.log(line(m));
  console.log(
    `reconcile: ${report.customers} customers and ${report.payments} payments checked, ${report.mismatches.length} mismatch${report.mismatches.length === 1 ? '' : 'es'}`,
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
