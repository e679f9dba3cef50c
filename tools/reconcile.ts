/**
 * The AR invariants, checked across the services' own databases (read-only):
 *  - balance: a customer's outstanding (customers) = Σ open amounts of its non-void invoices
 *    (invoicing) − its unapplied cash (payments), per currency; overdue = Σ open of overdue invoices;
 *  - status: customers' AR status agrees with invoicing's invoices (overdue > unpaid > paid);
 *  - map: geocoding's pin status equals customers' AR status;
 *  - allocations, compared at their source rather than through projections that can be stale
 *    together: every allocation payments recorded was settled in invoicing exactly once (applied
 *    there, or rejected, never both for more than it asked), nothing was applied in invoicing
 *    that payments did not allocate, each invoice's paid amount is the sum of the payments
 *    applied to it, and every payment amount = what invoicing applied of it + its unapplied part
 *    (the credit customers booked for it: the unapplied remainder and the rejected allocations).
 * Run after the event flow has settled; `npm run reconcile` prints every mismatch and exits 1.
 */
import { Client } from 'pg';

export interface ReconcileDatabases {
  customers: string;
  invoicing: string;
  payments: string;
  geocoding?: string;
}

export type MismatchCheck =
  | 'outstanding'
  | 'overdue'
  | 'status'
  | 'map-status'
  /** Σ applied + rejected in invoicing for one allocation ≠ what payments allocated. */
  | 'allocation-settled'
  /** What invoicing rejected of an allocation ≠ what payments recorded as rejected. */
  | 'allocation-rejected'
  /** Invoicing applied or rejected something of a payment on an invoice payments never allocated to. */
  | 'allocation-unknown'
  /** An invoice's paid amount ≠ Σ of the payments applied to it. */
  | 'invoice-paid'
  /** A payment's amount ≠ Σ applied in invoicing + the unapplied credit customers booked for it. */
  | 'payment-total';

export interface Mismatch {
  /** The customer concerned (for allocation checks: the payment's, or the invoice's). */
  customerId: string;
  check: MismatchCheck;
  paymentId?: string;
  invoiceId?: string;
  currency?: string;
  /** Minor units for amounts (as text), or a status. */
  expected: string;
  actual: string;
}

export interface ReconcileReport {
  customers: number;
  payments: number;
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
  const [invoices, unapplied, customers, pins, allocations] = await Promise.all([
    query<{ customer_id: string; currency: string; open: string; overdue: string }>(
      dbs.invoicing,
      `SELECT customer_id::text, currency,
              sum(open_minor)::text AS open,
              sum(CASE WHEN status = 'overdue' THEN open_minor ELSE 0 END)::text AS overdue
         FROM invoices WHERE status <> 'void' GROUP BY customer_id, currency`,
    ),
    query<{ customer_id: string; currency: string; unapplied: string }>(
      dbs.payments,
      // Credit is what decided payments hold: a reversed one holds nothing, one waiting for review
      // has not been applied (nor announced) yet, and refunds are paid out of it.
      `SELECT p.customer_id, p.currency,
              (sum(p.amount_minor - p.refunded_minor) - coalesce(sum(a.settled), 0))::text AS unapplied
         FROM payment p
         LEFT JOIN (SELECT payment_id, sum(applied_minor - rejected_minor) AS settled
                      FROM payment_allocation WHERE reversed_at IS NULL GROUP BY payment_id) a
                ON a.payment_id = p.id
        WHERE p.status NOT IN ('reversed', 'needs_review')
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
    reconcileAllocations(dbs),
  ]);

  const outstanding: Totals = new Map();
  const overdue: Totals = new Map();
  for (const row of invoices) {
    add(outstanding, row.customer_id, row.currency.trim(), BigInt(row.open));
    add(overdue, row.customer_id, row.currency.trim(), BigInt(row.overdue));
  }
  for (const row of unapplied) add(outstanding, row.customer_id, row.currency.trim(), -BigInt(row.unapplied));
  const anyOpen = new Set(invoices.filter((r) => BigInt(r.open) > 0n).map((r) => r.customer_id));

  const mismatches: Mismatch[] = [];
  const statusOf = new Map<string, string>();
  for (const customer of customers) {
    statusOf.set(customer.id, customer.ar_status);
    const reported = new Map(customer.balances.map((b) => [b.currency, b]));
    const currencies = new Set([...reported.keys(), ...(outstanding.get(customer.id)?.keys() ?? [])]);
    let anyOverdue = false;
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
    const expectedStatus = anyOverdue ? 'overdue' : anyOpen.has(customer.id) ? 'unpaid' : 'paid';
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
  mismatches.push(...allocations.mismatches);
  return { customers: customers.length, payments: allocations.payments, mismatches };
}

/** One (payment, invoice) pair: payments' allocation against invoicing's settlement of it. */
interface Pair {
  customerId: string;
  currency: string;
  requested: bigint;
  rejectedInPayments: bigint;
  allocated: boolean;
  appliedInInvoicing: bigint;
  rejectedInInvoicing: bigint;
}

/**
 * The allocation checks alone: payments' allocations per payment and invoice against invoicing's
 * applications and rejections, invoicing's paid amounts against its applications, and each
 * payment's amount against what invoicing applied plus the unapplied credit customers booked.
 * Ids are compared in lower case (UUIDs, whatever case a producer wrote them in).
 */
export async function reconcileAllocations(
  dbs: Pick<ReconcileDatabases, 'customers' | 'invoicing' | 'payments'>,
): Promise<{ payments: number; mismatches: Mismatch[] }> {
  const [payments, allocated, applied, rejected, paidOff, credit] = await Promise.all([
    // What each decided payment still holds on invoices and as credit: nothing once reversed, and
    // less what was refunded. One waiting for review has announced nothing yet.
    query<{ id: string; customer_id: string; currency: string; amount: string }>(
      dbs.payments,
      `SELECT lower(id::text) AS id, customer_id, currency,
              (CASE WHEN status = 'reversed' THEN 0 ELSE amount_minor - refunded_minor END)::text AS amount
         FROM payment WHERE status <> 'needs_review'`,
    ),
    query<{ payment_id: string; invoice_id: string; requested: string; rejected: string }>(
      dbs.payments,
      `SELECT lower(payment_id::text) AS payment_id, lower(invoice_id) AS invoice_id,
              -- A reversal undoes what invoicing applied; what it had rejected stays rejected.
              sum(CASE WHEN reversed_at IS NULL THEN applied_minor ELSE rejected_minor END)::text AS requested,
              sum(rejected_minor)::text AS rejected
         FROM payment_allocation GROUP BY 1, 2`,
    ),
    query<{ payment_id: string; invoice_id: string; customer_id: string; currency: string; applied: string }>(
      dbs.invoicing,
      `SELECT lower(ip.payment_id) AS payment_id, ip.invoice_id::text AS invoice_id,
              i.customer_id::text AS customer_id, ip.currency,
              sum(ip.applied_minor - ip.reversed_minor)::text AS applied
         FROM invoice_payments ip JOIN invoices i ON i.id = ip.invoice_id
        GROUP BY 1, 2, 3, 4`,
    ),
    query<{
      payment_id: string;
      invoice_id: string;
      customer_id: string;
      currency: string;
      rejected: string;
    }>(
      dbs.invoicing,
      `SELECT lower(payment_id) AS payment_id, lower(invoice_id) AS invoice_id,
              min(customer_id) AS customer_id, min(currency) AS currency,
              sum(rejected_minor)::text AS rejected
         FROM allocation_rejections GROUP BY 1, 2`,
    ),
    // Only the invoices where the two disagree: a paid amount is nothing but applied payments.
    query<{ id: string; customer_id: string; currency: string; paid: string; applied: string }>(
      dbs.invoicing,
      `SELECT i.id::text AS id, i.customer_id::text AS customer_id, i.currency,
              i.paid_minor::text AS paid, coalesce(sum(ip.applied_minor - ip.reversed_minor), 0)::text AS applied
         FROM invoices i LEFT JOIN invoice_payments ip ON ip.invoice_id = i.id
        GROUP BY i.id
       HAVING i.paid_minor <> coalesce(sum(ip.applied_minor - ip.reversed_minor), 0)`,
    ),
    query<{ payment_id: string; amount: string }>(
      dbs.customers,
      `SELECT lower(payment_id) AS payment_id, sum(amount_minor)::text AS amount
         FROM credit_entries
        WHERE kind IN ('payment-unapplied', 'allocation-rejected', 'payment-reversed', 'refund')
          AND payment_id IS NOT NULL
        GROUP BY 1`,
    ),
  ]);

  const paymentById = new Map(payments.map((p) => [p.id, p]));
  const pairs = new Map<string, Pair>();
  const pairOf = (paymentId: string, invoiceId: string, customerId: string, currency: string): Pair => {
    const key = `${paymentId}/${invoiceId}`;
    let pair = pairs.get(key);
    if (pair === undefined) {
      pair = {
        customerId,
        currency,
        requested: 0n,
        rejectedInPayments: 0n,
        allocated: false,
        appliedInInvoicing: 0n,
        rejectedInInvoicing: 0n,
      };
      pairs.set(key, pair);
    }
    return pair;
  };
  for (const a of allocated) {
    const payment = paymentById.get(a.payment_id);
    const pair = pairOf(
      a.payment_id,
      a.invoice_id,
      payment?.customer_id ?? '',
      payment?.currency.trim() ?? '',
    );
    pair.allocated = true;
    pair.requested += BigInt(a.requested);
    pair.rejectedInPayments += BigInt(a.rejected);
  }
  const appliedOf = new Map<string, bigint>();
  for (const a of applied) {
    pairOf(a.payment_id, a.invoice_id, a.customer_id, a.currency.trim()).appliedInInvoicing += BigInt(
      a.applied,
    );
    appliedOf.set(a.payment_id, (appliedOf.get(a.payment_id) ?? 0n) + BigInt(a.applied));
  }
  for (const r of rejected) {
    pairOf(r.payment_id, r.invoice_id, r.customer_id, r.currency.trim()).rejectedInInvoicing += BigInt(
      r.rejected,
    );
  }

  const mismatches: Mismatch[] = [];
  for (const [key, pair] of pairs) {
    const [paymentId, invoiceId] = key.split('/') as [string, string];
    const common = { customerId: pair.customerId, paymentId, invoiceId, currency: pair.currency };
    const settled = pair.appliedInInvoicing + pair.rejectedInInvoicing;
    if (!pair.allocated) {
      mismatches.push({
        ...common,
        check: 'allocation-unknown',
        expected: '0',
        actual: `${settled}`,
      });
      continue;
    }
    if (settled !== pair.requested) {
      mismatches.push({
        ...common,
        check: 'allocation-settled',
        expected: `${pair.requested}`,
        actual: `${settled}`,
      });
    }
    if (pair.rejectedInPayments !== pair.rejectedInInvoicing) {
      mismatches.push({
        ...common,
        check: 'allocation-rejected',
        expected: `${pair.rejectedInInvoicing}`,
        actual: `${pair.rejectedInPayments}`,
      });
    }
  }
  for (const invoice of paidOff) {
    mismatches.push({
      customerId: invoice.customer_id,
      check: 'invoice-paid',
      invoiceId: invoice.id,
      currency: invoice.currency.trim(),
      expected: invoice.applied,
      actual: invoice.paid,
    });
  }
  const creditOf = new Map(credit.map((c) => [c.payment_id, BigInt(c.amount)]));
  for (const [paymentId, amount] of creditOf) {
    if (paymentById.has(paymentId)) continue;
    mismatches.push({
      customerId: '',
      check: 'payment-total',
      paymentId,
      expected: '0',
      actual: `${amount}`,
    });
  }
  for (const payment of payments) {
    const accounted = (appliedOf.get(payment.id) ?? 0n) + (creditOf.get(payment.id) ?? 0n);
    if (accounted !== BigInt(payment.amount)) {
      mismatches.push({
        customerId: payment.customer_id,
        check: 'payment-total',
        paymentId: payment.id,
        currency: payment.currency.trim(),
        expected: payment.amount,
        actual: `${accounted}`,
      });
    }
  }
  return { payments: payments.length, mismatches };
}
