/**
 * The AR invariants, checked across the services' own databases (read-only):
 *  - balance: a customer's outstanding (customers) = Σ open amounts of its non-void invoices
 *    (invoicing) − its unapplied cash (payments), per currency; overdue = Σ open of overdue invoices;
 *  - status: customers' AR status agrees with invoicing's invoices (overdue > unpaid > paid);
 *  - map: geocoding's pin status equals customers' AR status.
 * Run after the event flow has settled; `npm run reconcile` prints every mismatch and exits 1.
 */
import { Client } from 'pg';

export interface ReconcileDatabases {
  customers: string;
  invoicing: string;
  payments: string;
  geocoding?: string;
}

export interface Mismatch {
  customerId: string;
  check: 'outstanding' | 'overdue' | 'status' | 'map-status';
  currency?: string;
  expected: string;
  actual: string;
}

export interface ReconcileReport {
  customers: number;
  mismatches: Mismatch[];
}

type Totals = Map<string, Map<string, bigint>>; // customer -> currency -> minor units

function add(totals: Totals, customer: string, currency: string, minor: bigint): void {
  const byCurrency = totals.get(customer) ?? new Map<string, bigint>();
  byCurrency.set(currency, (byCurrency.get(currency) ?? 0n) + minor);
  totals.set(customer, byCurrency);
}

async function query<T>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function reconcile(dbs: ReconcileDatabases): Promise<ReconcileReport> {
  const [invoices, unapplied, customers, pins] = await Promise.all([
    query<{ customer_id: string; currency: string; open: string; overdue: string }>(
      dbs.invoicing,
      `SELECT customer_id::text, currency,
              sum(open_minor)::text AS open,
              sum(CASE WHEN status = 'overdue' THEN open_minor ELSE 0 END)::text AS overdue
         FROM invoices WHERE status <> 'void' GROUP BY customer_id, currency`,
    ),
    query<{ customer_id: string; currency: string; unapplied: string }>(
      dbs.payments,
      `SELECT p.customer_id, p.currency,
              (sum(p.amount_minor) - coalesce(sum(a.settled), 0))::text AS unapplied
         FROM payment p
         LEFT JOIN (SELECT payment_id, sum(applied_minor - rejected_minor) AS settled
                      FROM payment_allocation GROUP BY payment_id) a ON a.payment_id = p.id
        GROUP BY p.customer_id, p.currency`,
    ),
    query<{
      id: string;
      ar_status: string;
      balances: { currency: string; outstanding: string; overdue: string }[];
    }>(dbs.customers, `SELECT id::text, ar_status, balances FROM customers`),
    dbs.geocoding
      ? query<{ customer_id: string; status: string }>(
          dbs.geocoding,
          `SELECT customer_id::text, status FROM customer_pins`,
        )
      : Promise.resolve([]),
  ]);

  const outstanding: Totals = new Map();
  const overdue: Totals = new Map();
  for (const row of invoices) {
    add(outstanding, row.customer_id, row.currency.trim(), BigInt(row.open));
    add(overdue, row.customer_id, row.currency.trim(), BigInt(row.overdue));
  }
  for (const row of unapplied) add(outstanding, row.customer_id, row.currency.trim(), -BigInt(row.unapplied));

  const mismatches: Mismatch[] = [];
  const statusOf = new Map<string, string>();
  for (const customer of customers) {
    statusOf.set(customer.id, customer.ar_status);
    const reported = new Map(customer.balances.map((b) => [b.currency, b]));
    const currencies = new Set([...reported.keys(), ...(outstanding.get(customer.id)?.keys() ?? [])]);
    let anyOverdue = false;
    let anyOpen = false;
    for (const currency of currencies) {
      const expectedOutstanding = outstanding.get(customer.id)?.get(currency) ?? 0n;
      const expectedOverdue = overdue.get(customer.id)?.get(currency) ?? 0n;
      const actualOutstanding = BigInt(reported.get(currency)?.outstanding ?? '0');
      const actualOverdue = BigInt(reported.get(currency)?.overdue ?? '0');
      if (expectedOutstanding !== actualOutstanding) {
        mismatches.push({
          customerId: customer.id,
          check: 'outstanding',
          currency,
          expected: `${expectedOutstanding}`,
          actual: `${actualOutstanding}`,
        });
      }
      if (expectedOverdue !== actualOverdue) {
        mismatches.push({
          customerId: customer.id,
          check: 'overdue',
          currency,
          expected: `${expectedOverdue}`,
          actual: `${actualOverdue}`,
        });
      }
      anyOverdue ||= expectedOverdue > 0n;
    }
    for (const row of invoices.filter((r) => r.customer_id === customer.id))
      anyOpen ||= BigInt(row.open) > 0n;
    const expectedStatus = anyOverdue ? 'overdue' : anyOpen ? 'unpaid' : 'paid';
    if (expectedStatus !== customer.ar_status) {
      mismatches.push({
        customerId: customer.id,
        check: 'status',
        expected: expectedStatus,
        actual: customer.ar_status,
      });
    }
  }
  for (const pin of pins) {
    const status = statusOf.get(pin.customer_id);
    if (status !== undefined && status !== pin.status) {
      mismatches.push({
        customerId: pin.customer_id,
        check: 'map-status',
        expected: status,
        actual: pin.status,
      });
    }
  }
  return { customers: customers.length, mismatches };
}
