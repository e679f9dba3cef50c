import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { testEnv, uniqueName } from '@duemap/testing';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource as customersDataSource } from '../services/customers/src/database/data-source';
import { createDataSource as geocodingDataSource } from '../services/geocoding/src/database/data-source';
import { createDataSource as invoicingDataSource } from '../services/invoicing/src/database/data-source';
import { createDataSource as paymentsDataSource } from '../services/payments/src/database/data-source';
import { reconcile, type Mismatch } from './reconcile';

const SERVICES = {
  customers: customersDataSource,
  geocoding: geocodingDataSource,
  invoicing: invoicingDataSource,
  payments: paymentsDataSource,
} satisfies Record<string, (url: string) => DataSource>;
type Service = keyof typeof SERVICES;

function urlOf(database: string): string {
  const url = new URL(testEnv.databaseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function sql(url: string, text: string, params: unknown[] = []): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

/**
 * One customer with two invoices and two payments, consistent everywhere: P1 (150.00) allocates
 * 120.00 to I1 (100.00), invoicing applies 100.00 and rejects 20.00; P2 (50.00) allocates nothing.
 */
const customer = randomUUID();
const invoice1 = randomUUID();
const invoice2 = randomUUID();
const payment1 = randomUUID();
const payment2 = randomUUID();

describe('reconcile: payments’ allocations against invoicing and customers', () => {
  // Names `<prefix><service>`, as `npm run reconcile` finds them with RECONCILE_DB_PREFIX.
  const prefix = `${uniqueName('test_reconcile')}_`;
  const db = (service: Service): string => urlOf(`${prefix}${service}`);

  beforeAll(async () => {
    for (const [service, dataSource] of Object.entries(SERVICES)) {
      await sql(urlOf('postgres'), `CREATE DATABASE "${prefix}${service}"`);
      const ds = dataSource(db(service as Service));
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
      } finally {
        await ds.destroy();
      }
    }
    await sql(
      db('customers'),
      `INSERT INTO customers (id, name, tier, time_zone, time_zone_derived, currency, locale, ar_status, balances)
       VALUES ($1, 'Reconcile Ltd', 'standard', 'Asia/Shanghai', false, 'CNY', 'zh-CN', 'unpaid',
               '[{"currency":"CNY","outstanding":"-5000","overdue":"0"}]')`,
      [customer],
    );
    await sql(
      db('customers'),
      `INSERT INTO credit_entries (entry_key, customer_id, kind, payment_id, currency, amount_minor, occurred_at)
       VALUES ('payment/' || $2 || '/unapplied', $1, 'payment-unapplied', $2, 'CNY', 3000, now()),
              ('payment/' || $2 || '/rejected/' || $4, $1, 'allocation-rejected', $2, 'CNY', 2000, now()),
              ('payment/' || $3 || '/unapplied', $1, 'payment-unapplied', $3, 'CNY', 5000, now())`,
      [customer, payment1, payment2, invoice1],
    );
    await sql(
      db('invoicing'),
      `INSERT INTO invoices (id, customer_id, source_system, external_id, number, issue_date, due_date,
                            currency, total_minor, paid_minor, open_minor, status, time_zone, overdue_at)
       VALUES ($1, $3, 'erp', 'I1', 'I1', '2026-01-01', '2026-12-31', 'CNY', 10000, 10000, 0, 'paid', 'UTC', '2027-01-01'),
              ($2, $3, 'erp', 'I2', 'I2', '2026-01-01', '2026-12-31', 'CNY', 5000, 0, 5000, 'open', 'UTC', '2027-01-01')`,
      [invoice1, invoice2, customer],
    );
    await sql(
      db('invoicing'),
      `INSERT INTO invoice_payments (payment_id, invoice_id, currency, applied_minor) VALUES ($1, $2, 'CNY', 10000)`,
      [payment1, invoice1],
    );
    await sql(
      db('invoicing'),
      `INSERT INTO allocation_rejections
         (payment_id, invoice_id, customer_id, currency, requested_minor, rejected_minor, reason, detail)
       VALUES ($1, $2, $3, 'CNY', 12000, 2000, 'EXCEEDS_OPEN_AMOUNT', 'I1 had 100.00 open')`,
      [payment1, invoice1, customer],
    );
    await sql(
      db('payments'),
      `INSERT INTO payment (id, customer_id, amount_minor, currency, received_at, method, reference, status,
                            idempotency_key, request_hash, created_at)
       VALUES ($1::uuid, $3, 15000, 'CNY', now(), 'bank_transfer', 'r1', 'received', $1::text, 'h', now()),
              ($2::uuid, $3, 5000, 'CNY', now(), 'cash', 'r2', 'received', $2::text, 'h', now())`,
      [payment1, payment2, customer],
    );
    await sql(
      db('payments'),
      `INSERT INTO payment_allocation (payment_id, invoice_id, position, invoice_number, applied_minor,
                                       rejected_minor, rule, rejection_reason, rejected_at)
       VALUES ($1, $2, 0, 'I1', 12000, 2000, 'explicit', 'EXCEEDS_OPEN_AMOUNT', now())`,
      [payment1, invoice1],
    );
  });

  afterAll(async () => {
    for (const service of Object.keys(SERVICES)) {
      await sql(urlOf('postgres'), `DROP DATABASE IF EXISTS "${prefix}${service}" WITH (FORCE)`);
    }
  });

  const check = () =>
    reconcile({
      customers: db('customers'),
      invoicing: db('invoicing'),
      payments: db('payments'),
      geocoding: db('geocoding'),
    });

  /** Commits a change, reconciles, and undoes the change whatever happened. */
  async function withChange(
    service: Service,
    change: [string, unknown[]],
    undo: [string, unknown[]],
  ): Promise<Mismatch[]> {
    await sql(db(service), ...change);
    try {
      return (await check()).mismatches;
    } finally {
      await sql(db(service), ...undo);
    }
  }

  it('finds nothing wrong when every allocation is settled once and every payment accounted for', async () => {
    const report = await check();
    expect(report.mismatches).toEqual([]);
    expect(report.payments).toBe(2);
    expect(report.customers).toBe(1);
  });

  it('finds nothing wrong after a reversal and a refund booked by every service, and a payment waiting for review', async () => {
    const inReview = randomUUID();
    const changes: [Service, string, unknown[]][] = [
      // P1 reversed: its allocation undone in payments and invoicing, its credit taken back.
      ['payments', `UPDATE payment SET status = 'reversed', reversed_at = now() WHERE id = $1`, [payment1]],
      ['payments', `UPDATE payment_allocation SET reversed_at = now() WHERE payment_id = $1`, [payment1]],
      [
        'invoicing',
        `UPDATE invoice_payments SET reversed_minor = 10000, reversed_at = now() WHERE payment_id = $1`,
        [payment1],
      ],
      [
        'invoicing',
        `UPDATE invoices SET paid_minor = 0, open_minor = 10000, status = 'open' WHERE id = $1`,
        [invoice1],
      ],
      [
        'customers',
        `INSERT INTO credit_entries (entry_key, customer_id, kind, payment_id, currency, amount_minor, occurred_at)
         VALUES ('payment/' || $2 || '/reversed', $1, 'payment-reversed', $2, 'CNY', -5000, now()),
                ('refund/' || $3, $1, 'refund', $4, 'CNY', -1000, now())`,
        [customer, payment1, randomUUID(), payment2],
      ],
      // P2 refunded 10.00 of its credit.
      ['payments', `UPDATE payment SET refunded_minor = 1000 WHERE id = $1`, [payment2]],
      [
        'customers',
        `UPDATE customers SET balances = '[{"currency":"CNY","outstanding":"11000","overdue":"0"}]' WHERE id = $1`,
        [customer],
      ],
      // A statement credit nobody has decided yet: no customer, nothing announced.
      [
        'payments',
        `INSERT INTO payment (id, customer_id, amount_minor, currency, received_at, method, reference, status,
                              idempotency_key, request_hash, created_at, source)
         VALUES ($1::uuid, NULL, 777, 'CNY', now(), 'bank_transfer', '', 'needs_review', $1::text, 'h', now(), 'bank_statement')`,
        [inReview],
      ],
    ];
    const undo: [Service, string, unknown[]][] = [
      ['payments', `DELETE FROM payment WHERE id = $1`, [inReview]],
      [
        'payments',
        `UPDATE payment SET status = 'received', reversed_at = NULL, refunded_minor = 0 WHERE id IN ($1, $2)`,
        [payment1, payment2],
      ],
      ['payments', `UPDATE payment_allocation SET reversed_at = NULL WHERE payment_id = $1`, [payment1]],
      [
        'invoicing',
        `UPDATE invoice_payments SET reversed_minor = 0, reversed_at = NULL WHERE payment_id = $1`,
        [payment1],
      ],
      [
        'invoicing',
        `UPDATE invoices SET paid_minor = 10000, open_minor = 0, status = 'paid' WHERE id = $1`,
        [invoice1],
      ],
      [
        'customers',
        `DELETE FROM credit_entries WHERE kind IN ('payment-reversed', 'refund') AND customer_id = $1`,
        [customer],
      ],
      [
        'customers',
        `UPDATE customers SET balances = '[{"currency":"CNY","outstanding":"-5000","overdue":"0"}]' WHERE id = $1`,
        [customer],
      ],
    ];
    try {
      for (const [service, text, params] of changes) await sql(db(service), text, params);
      const report = await check();
      expect(report.mismatches).toEqual([]);
      expect(report.payments).toBe(2);
      // The same books without the reversal in invoicing: the invoice still counts P1's cash.
      await sql(db('invoicing'), `UPDATE invoice_payments SET reversed_minor = 0 WHERE payment_id = $1`, [
        payment1,
      ]);
      expect((await check()).mismatches).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ check: 'allocation-settled', paymentId: payment1 }),
        ]),
      );
    } finally {
      for (const [service, text, params] of undo) await sql(db(service), text, params);
    }
    expect((await check()).mismatches).toEqual([]);
  });

  it('reports a payment applied twice to an invoice, with its ids', async () => {
    const mismatches = await withChange(
      'invoicing',
      [`UPDATE invoice_payments SET applied_minor = 20000 WHERE payment_id = $1`, [payment1]],
      [`UPDATE invoice_payments SET applied_minor = 10000 WHERE payment_id = $1`, [payment1]],
    );
    expect(mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          check: 'allocation-settled',
          paymentId: payment1,
          invoiceId: invoice1,
          customerId: customer,
          expected: '12000',
          actual: '22000',
        }),
        expect.objectContaining({
          check: 'invoice-paid',
          invoiceId: invoice1,
          expected: '20000',
          actual: '10000',
        }),
        expect.objectContaining({
          check: 'payment-total',
          paymentId: payment1,
          expected: '15000',
          actual: '25000',
        }),
      ]),
    );
    expect(mismatches).toHaveLength(3);
  });

  it('reports an allocation invoicing never applied', async () => {
    const mismatches = await withChange(
      'invoicing',
      [`DELETE FROM invoice_payments WHERE payment_id = $1`, [payment1]],
      [
        `INSERT INTO invoice_payments (payment_id, invoice_id, currency, applied_minor) VALUES ($1, $2, 'CNY', 10000)`,
        [payment1, invoice1],
      ],
    );
    expect(mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          check: 'allocation-settled',
          paymentId: payment1,
          invoiceId: invoice1,
          expected: '12000',
          actual: '2000',
        }),
        expect.objectContaining({
          check: 'payment-total',
          paymentId: payment1,
          expected: '15000',
          actual: '5000',
        }),
        expect.objectContaining({
          check: 'invoice-paid',
          invoiceId: invoice1,
          expected: '0',
          actual: '10000',
        }),
      ]),
    );
  });

  it('reports a payment applied to an invoice it was not allocated to', async () => {
    const mismatches = await withChange(
      'invoicing',
      [`UPDATE invoice_payments SET invoice_id = $2 WHERE payment_id = $1`, [payment1, invoice2]],
      [`UPDATE invoice_payments SET invoice_id = $2 WHERE payment_id = $1`, [payment1, invoice1]],
    );
    expect(mismatches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          check: 'allocation-unknown',
          paymentId: payment1,
          invoiceId: invoice2,
          expected: '0',
          actual: '10000',
        }),
        expect.objectContaining({ check: 'allocation-settled', paymentId: payment1, invoiceId: invoice1 }),
      ]),
    );
  });

  it('reports a rejection payments never learned of', async () => {
    const mismatches = await withChange(
      'payments',
      [`UPDATE payment_allocation SET rejected_minor = 0 WHERE payment_id = $1`, [payment1]],
      [`UPDATE payment_allocation SET rejected_minor = 2000 WHERE payment_id = $1`, [payment1]],
    );
    expect(mismatches).toContainEqual(
      expect.objectContaining({
        check: 'allocation-rejected',
        paymentId: payment1,
        invoiceId: invoice1,
        expected: '2000',
        actual: '0',
      }),
    );
  });

  it('reports a payment whose unapplied part was never booked, and ids in any case', async () => {
    const mismatches = await withChange(
      'customers',
      [`DELETE FROM credit_entries WHERE payment_id = $1`, [payment2]],
      [
        `INSERT INTO credit_entries (entry_key, customer_id, kind, payment_id, currency, amount_minor, occurred_at)
         VALUES ('payment/' || $2 || '/unapplied', $1, 'payment-unapplied', $2, 'CNY', 5000, now())`,
        [customer, payment2],
      ],
    );
    expect(mismatches).toContainEqual(
      expect.objectContaining({ check: 'payment-total', paymentId: payment2, expected: '5000', actual: '0' }),
    );
    // An upper-case id in invoicing is the same payment, not an unknown one.
    const upper = await withChange(
      'invoicing',
      [`UPDATE invoice_payments SET payment_id = upper(payment_id) WHERE payment_id = $1`, [payment1]],
      [`UPDATE invoice_payments SET payment_id = lower(payment_id) WHERE payment_id = upper($1)`, [payment1]],
    );
    expect(upper).toEqual([]);
  });

  it('`npm run reconcile` prints each mismatch with its ids and exits 1', async () => {
    const run = () =>
      spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'reconcile-cli.ts')], {
        env: { ...process.env, DATABASE_URL: testEnv.databaseUrl, RECONCILE_DB_PREFIX: prefix },
        encoding: 'utf8',
      });
    const clean = run();
    expect(clean.stdout).toContain('0 mismatches');
    expect(clean.status).toBe(0);

    await sql(db('invoicing'), `UPDATE invoice_payments SET applied_minor = 20000 WHERE payment_id = $1`, [
      payment1,
    ]);
    try {
      const broken = run();
      expect(broken.stdout).toMatch(
        new RegExp(
          `MISMATCH allocation-settled +customer ${customer} payment ${payment1} invoice ${invoice1}`,
        ),
      );
      expect(broken.status).toBe(1);
    } finally {
      await sql(db('invoicing'), `UPDATE invoice_payments SET applied_minor = 10000 WHERE payment_id = $1`, [
        payment1,
      ]);
    }
  });
});
