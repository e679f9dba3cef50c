/**
 * The headline flow under load, everything on this machine: the five services, the gateway, a
 * Kafka broker, Postgres and Redis (bench/../e2e/stack.ts starts a private, fresh stack).
 * Each customer has one open invoice; each payment pays one customer's invoice in full, so every
 * payment changes a balance, turns a map pin green and cancels the invoice's reminders.
 * Payments are posted open-loop at a fixed rate through the gateway; latencies are from the
 * moment the POST was sent to:
 *   (a) balance: customers' commit of the paid balance (`customers.updated_at`, the instant of
 *       its `customers.balance-changed.v1`);
 *   (b) map: the pin's status turning paid in geocoding (`status_applied_at`);
 *   (c) reminders: the invoice's first reminder cancelled (`reminders.cancelled_at`, the instant of
 *       its `notifications.reminder-cancelled.v1`).
 * They are read from the services' databases after the run, so nothing observes Kafka meanwhile.
 *
 *   npm run bench:e2e                                   # 200 payments/s for 60 s (after 10 s of warm-up)
 *   BENCH_RATE=100 BENCH_SECONDS=30 BENCH_WARMUP_SECONDS=5 npm run bench:e2e
 */
import { randomUUID } from 'node:crypto';
import { CPU_PROFILE_DIR_ENV } from '@duemap/observability';
import { Client } from 'pg';
import { ApiClient, isoDate } from '../e2e/api-client';
import { BACKEND_SERVICES, startStack, type BackendService, type Stack } from '../e2e/stack';
import { cpuBetween, sampleCpu } from './cpu';
import { JsonPoster } from './json-poster';
import { PgActivitySampler } from './pg-sampler';

const RATE = Number(process.env.BENCH_RATE ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const PAYMENTS = RATE * SECONDS;
// Posted at the same rate first and not measured: the JITs of the broker and the services warm up.
const WARMUP = RATE * Number(process.env.BENCH_WARMUP_SECONDS ?? 10);
const TOTAL = WARMUP + PAYMENTS;
const SETUP_CONCURRENCY = Number(process.env.BENCH_SETUP_CONCURRENCY ?? 24);
// BENCH_TIMELINE=5: also print p50/p99 of each outcome per 5 s of sending (a stall shows as one
// window, saturation as a climb).
const TIMELINE_SECONDS = Number(process.env.BENCH_TIMELINE ?? 0);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function line(name: string, values: number[], expected: number): string {
  const s = [...values].sort((a, b) => a - b);
  const f = (n: number): string => `${n.toFixed(0)} ms`;
  return `${name.padEnd(26)} n=${values.length}/${expected}  p50=${f(percentile(s, 50))}  p95=${f(percentile(s, 95))}  p99=${f(percentile(s, 99))}  max=${f(s[s.length - 1] ?? NaN)}`;
}

async function inParallel<T>(
  items: T[],
  width: number,
  work: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i] as T, i);
      }
    }),
  );
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function query<R extends object>(url: string, sql: string): Promise<R[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(sql)).rows;
  } finally {
    await c.end();
  }
}

async function count(url: string, sql: string): Promise<number> {
  const [row] = await query<{ n: string }>(url, sql);
  return Number(row?.n ?? 0);
}

/** What a service has counted so far: SQL statements, consumer transactions and the messages in them. */
interface ServiceCounters {
  statements: number;
  transactions: number;
  transactionMessages: number;
  vacuums: number;
  vacuumSeconds: number;
}

function sumOf(text: string, metric: string): number {
  let total = 0;
  for (const m of text.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\d+(?:\\.\\d+)?)$`, 'gm'))) {
    total += Number(m[1]);
  }
  return total;
}

/** The counters of one service, from its /metrics. */
async function countersOf(url: string): Promise<ServiceCounters> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return {
    statements: sumOf(text, 'duemap_db_statements_total'),
    transactions: sumOf(text, 'duemap_consumer_transaction_messages_count'),
    transactionMessages: sumOf(text, 'duemap_consumer_transaction_messages_sum'),
    vacuums: sumOf(text, 'duemap_outbox_vacuum_seconds_count'),
    vacuumSeconds: sumOf(text, 'duemap_outbox_vacuum_seconds_sum'),
  };
}

/** The gateway's admission histogram (duemap_gateway_admission_seconds), admitted calls only. */
interface Admissions {
  count: number;
  sum: number;
  /** Cumulative count at each bucket's upper bound (seconds), ascending. */
  buckets: [number, number][];
}

async function admissionsOf(gatewayUrl: string): Promise<Admissions> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  const metric = 'duemap_gateway_admission_seconds';
  const value = (suffix: string, labels: RegExp): number[] =>
    [...text.matchAll(new RegExp(`^${metric}_${suffix}\\{([^}]*)\\} (\\S+)$`, 'gm'))]
      .filter((m) => labels.test(m[1] ?? ''))
      .map((m) => Number(m[2]));
  const admitted = /outcome="admitted"/;
  const buckets: [number, number][] = [];
  for (const m of text.matchAll(new RegExp(`^${metric}_bucket\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
    const labels = m[1] ?? '';
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    if (admitted.test(labels) && le !== undefined && le !== '+Inf') buckets.push([Number(le), Number(m[2])]);
  }
  return {
    count: value('count', admitted)[0] ?? 0,
    sum: value('sum', admitted)[0] ?? 0,
    buckets: buckets.sort((a, b) => a[0] - b[0]),
  };
}

/**
 * Mean and p99 of the admissions between two readings. The p99 is interpolated within its
 * histogram bucket, so it is as fine as the buckets (50 µs at the low end).
 */
function admissionCost(before: Admissions, after: Admissions): string {
  const n = after.count - before.count;
  if (n <= 0) return 'no admissions counted (is duemap_gateway_admission_seconds exported?)';
  const mean = (after.sum - before.sum) / n;
  const target = 0.99 * n;
  let lowerBound = 0;
  let lowerCount = 0;
  let p99 = NaN;
  for (const [le, cumulative] of after.buckets) {
    const inBucket = cumulative - (before.buckets.find(([b]) => b === le)?.[1] ?? 0);
    if (inBucket >= target) {
      p99 = lowerBound + ((target - lowerCount) / Math.max(inBucket - lowerCount, 1)) * (le - lowerBound);
      break;
    }
    lowerBound = le;
    lowerCount = inBucket;
  }
  const us = (seconds: number): string =>
    Number.isNaN(seconds) ? '>1 s' : `${(seconds * 1e6).toFixed(0)} µs`;
  return `n=${n}  mean=${us(mean)}  p99≈${us(p99)}`;
}

async function countersBy(stack: Stack): Promise<Map<string, ServiceCounters>> {
  const counts = await Promise.all(
    BACKEND_SERVICES.map(async (s): Promise<[string, ServiceCounters]> => [
      s,
      await countersOf(stack.services[s].url),
    ]),
  );
  return new Map(counts);
}

async function main(): Promise<void> {
  console.log(`starting the stack (5 services + gateway, private Kafka, fresh databases)…`);
  const stack = await startStack({
    env: { LOG_LEVEL: 'warn' },
    // BENCH_PARTITIONS, else KAFKA_PARTITIONS as for `npm start`.
    partitions: process.env.BENCH_PARTITIONS ? Number(process.env.BENCH_PARTITIONS) : undefined,
  });
  // Ctrl-C must not leave the stack's processes behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void stack.stop().finally(() => process.exit(130)));
  }
  try {
    // With authentication on, as in production: a bank feed's token for the payments, and a
    // finance user's for the set-up (an integration token may write customers and invoices too).
    const api = new ApiClient(stack.gatewayUrl, { token: await stack.token({ roles: ['finance'] }) });
    const feedToken = await stack.token({ roles: ['integration'], subject: 'bench-bank-feed' });
    const erp = `bench-${randomUUID().slice(0, 8)}`;

    // Setup: one customer with one invoice per payment to come.
    const t0 = Date.now();
    const customers = new Array<{ id: string; invoiceId: string }>(TOTAL);
    await inParallel(customers, SETUP_CONCURRENCY, async (_, i) => {
      const c = await api.put<{ id: string }>(`/api/v1/customers/${erp}/C-${i}`, {
        name: `Bench ${i}`,
        address: { country: 'CN', province: '江苏省', city: '苏州市' },
        currency: 'CNY',
      });
      if (c.status !== 201) throw new Error(`customer ${i}: ${c.status} ${JSON.stringify(c.body)}`);
      const inv = await api.put<{ id: string }>(`/api/v1/invoices/${erp}/I-${i}`, {
        customerId: c.body.id,
        number: `I-${i}`,
        issueDate: isoDate(-10),
        dueDate: isoDate(20),
        total: { amount: '100.00', currency: 'CNY' },
      });
      if (inv.status !== 201) throw new Error(`invoice ${i}: ${inv.status} ${JSON.stringify(inv.body)}`);
      customers[i] = { id: c.body.id, invoiceId: inv.body.id };
    });
    console.log(
      `setup: ${TOTAL} customers and invoices in ${((Date.now() - t0) / 1000).toFixed(0)} s; waiting for the flow to settle…`,
    );
    await waitUntil(
      'every customer unpaid and every reminder scheduled',
      async () =>
        (await count(
          stack.databases.customers.url,
          `SELECT count(*) AS n FROM customers WHERE ar_status = 'unpaid'`,
        )) === TOTAL &&
        (await count(
          stack.databases.notifications.url,
          `SELECT count(*) AS n FROM reminders WHERE status = 'scheduled'`,
        )) ===
          TOTAL * 5 &&
        (await count(
          stack.databases.geocoding.url,
          `SELECT count(*) AS n FROM customer_pins WHERE status = 'unpaid'`,
        )) === TOTAL,
      600_000,
    );
    console.log(`settled after ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    // Statistics, as autovacuum would have gathered them after the set-up's inserts on a production
    // server (the build machines' Postgres runs with autovacuum off): without them the planner
    // takes every table for a few pages and scans where a key would do.
    await Promise.all(BACKEND_SERVICES.map((s) => query(stack.databases[s].url, 'ANALYZE')));
    // BENCH_CHECKPOINT=1: checkpoint before the load. The set-up writes about as much WAL as
    // max_wal_size allows between checkpoints (~540 MB of 1 GB), so a checkpoint often lands in the
    // measured minute; left to chance by default, as in every run recorded in docs/benchmarks.md
    // (forcing one did not make the morning's runs of 2026-12-04 better: see there).
    if (process.env.BENCH_CHECKPOINT === '1') await query(stack.databases.payments.url, 'CHECKPOINT');

    // Outcomes are read from the services' databases once the flow has settled, each stamped
    // where it was committed, so that nothing watches Kafka during the run (an observer consuming
    // every balance and reminder event took ~5 % of a core from the stack it measured).
    const byCustomer = new Map(customers.map((c, i) => [c.id, i]));
    const byInvoice = new Map(customers.map((c, i) => [c.invoiceId, i]));

    // The load: open loop at RATE/s; the first WARMUP payments are not measured.
    const sentAt = new Array<number>(TOTAL);
    const postMs: number[] = [];
    let failed = 0;
    const errors = new Map<string, number>();
    console.log(`load: ${RATE} payments/s, ${WARMUP / RATE} s of warm-up, then ${SECONDS} s measured…`);
    const poster = new JsonPoster(stack.gatewayUrl, feedToken);
    const pgSampler =
      process.env.BENCH_PG_SAMPLE === '1'
        ? new PgActivitySampler(
            stack.databases.payments.url,
            Object.fromEntries(BACKEND_SERVICES.map((s) => [s, stack.databases[s].name])),
          )
        : undefined;
    let cpuBefore = sampleCpu();
    let countersBefore = countersBy(stack);
    let admissionsBefore = admissionsOf(stack.gatewayUrl);
    let measuredFrom = Date.now();
    const start = Date.now();
    const inflight = new Set<Promise<void>>();
    const measured = new Set<Promise<void>>();
    for (let i = 0; i < TOTAL; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (i === WARMUP) {
        toggleProfiles(stack);
        await pgSampler?.start();
        cpuBefore = sampleCpu();
        countersBefore = countersBy(stack);
        admissionsBefore = admissionsOf(stack.gatewayUrl);
        measuredFrom = Date.now();
      }
      const c = customers[i] as { id: string };
      sentAt[i] = Date.now();
      const counted = i >= WARMUP;
      const p = poster
        .post(
          '/api/v1/payments',
          {
            customerId: c.id,
            amount: { amount: '100.00', currency: 'CNY' },
            receivedAt: new Date().toISOString(),
            method: 'bank_transfer',
            reference: `I-${i}`,
          },
          { 'Idempotency-Key': `bench-${erp}-${i}` },
        )
        .then(
          (status) => {
            if (!counted) return;
            if (status === 201) postMs.push(Date.now() - (sentAt[i] as number));
            else {
              failed++;
              errors.set(`HTTP ${status}`, (errors.get(`HTTP ${status}`) ?? 0) + 1);
            }
          },
          (err: Error) => {
            if (!counted) return;
            failed++;
            errors.set(err.message, (errors.get(err.message) ?? 0) + 1);
          },
        )
        .finally(() => {
          inflight.delete(p);
          measured.delete(p);
        });
      inflight.add(p);
      if (counted) measured.add(p);
    }
    await Promise.all(measured);
    const admissionsAfter = admissionsOf(stack.gatewayUrl);
    const postSeconds = (Date.now() - measuredFrom) / 1000;
    const cpuAfter = sampleCpu();
    toggleProfiles(stack);
    const pgTop = await pgSampler?.stop();
    const cpu = cpuBetween(cpuBefore, cpuAfter, postSeconds);
    const postgresCpu = cpuBetween(cpuBefore, cpuAfter, postSeconds, 'postgres');
    const otherCpu = cpuBetween(cpuBefore, cpuAfter, postSeconds, 'other');
    await Promise.all(inflight);
    poster.close();

    await waitUntil(
      'every balance paid, every pin green and every reminder cancelled',
      async () =>
        (await count(
          stack.databases.customers.url,
          `SELECT count(*) AS n FROM customers WHERE ar_status = 'paid'`,
        )) >=
          TOTAL - failed &&
        (await count(
          stack.databases.geocoding.url,
          `SELECT count(*) AS n FROM customer_pins WHERE status = 'paid'`,
        )) >=
          TOTAL - failed &&
        (await count(
          stack.databases.notifications.url,
          `SELECT count(*) AS n FROM reminders WHERE status = 'scheduled'`,
        )) <=
          failed * 5,
      300_000,
    ).catch((err: Error) => console.log(`! ${err.message}`));
    const countersAfter = await countersBy(stack);
    const countersAtStart = await countersBefore;
    const delta = (s: string, key: keyof ServiceCounters): number =>
      (countersAfter.get(s)?.[key] ?? 0) - (countersAtStart.get(s)?.[key] ?? 0);

    // (a) the customer's balance and status, written once when its invoice was paid (a recompute
    // that changes nothing writes nothing); (b) the pin's status; (c) the invoice's first reminder
    // cancelled. Each time is the service's clock in the transaction that made the change, the
    // same instant as the occurred-at of the event it emitted.
    const timesOf = async (service: BackendService, sql: string, index: Map<string, number>) => {
      const at = new Array<number | undefined>(TOTAL);
      for (const row of await query<{ id: string; at: Date }>(stack.databases[service].url, sql)) {
        const i = index.get(row.id);
        if (i !== undefined) at[i] = row.at.getTime();
      }
      return at;
    };
    const [balanceAt, mapAt, remindersAt, paymentAt, appliedAt] = await Promise.all([
      timesOf(
        'customers',
        `SELECT id::text AS id, updated_at AS at FROM customers WHERE ar_status = 'paid'`,
        byCustomer,
      ),
      timesOf(
        'geocoding',
        `SELECT customer_id AS id, status_applied_at AS at FROM customer_pins WHERE status = 'paid'`,
        byCustomer,
      ),
      timesOf(
        'notifications',
        `SELECT invoice_id AS id, min(cancelled_at) AS at FROM reminders
          WHERE status = 'cancelled' GROUP BY invoice_id`,
        byInvoice,
      ),
      // The hops in between, for the timeline: payments' transaction, invoicing's application.
      timesOf('payments', `SELECT customer_id AS id, created_at AS at FROM payment`, byCustomer),
      timesOf(
        'invoicing',
        `SELECT invoice_id::text AS id, applied_at AS at FROM invoice_payments`,
        byInvoice,
      ),
    ]);
    const latencies = (at: (number | undefined)[]): number[] =>
      at.flatMap((t, i) => (t === undefined || i < WARMUP ? [] : [t - (sentAt[i] as number)]));

    console.log(`\nheadline flow on this machine: ${RATE} payments/s for ${SECONDS} s through the gateway`);
    console.log(
      `accepted ${postMs.length}/${PAYMENTS} (failed ${failed}) in ${postSeconds.toFixed(1)} s = ${(postMs.length / postSeconds).toFixed(1)} payments/s`,
    );
    for (const [message, n] of errors) console.log(`  ${n} × ${message}`);
    console.log(line('POST /api/v1/payments', postMs, PAYMENTS));
    // What authentication costs each call: the gateway's admission of it (bearer token verified,
    // or taken from its cache; the permission matrix; the identity signed for the services).
    console.log(
      `${'authentication per POST'.padEnd(26)} ${admissionCost(await admissionsBefore, await admissionsAfter)} (gateway admission, duemap_gateway_admission_seconds)`,
    );
    console.log(line('(a) balance changed', latencies(balanceAt), PAYMENTS));
    console.log(line('(b) map pin turned green', latencies(mapAt), PAYMENTS));
    console.log(line('(c) reminders cancelled', latencies(remindersAt), PAYMENTS));
    if (TIMELINE_SECONDS > 0) {
      console.log(
        `p50 / p99 (ms) per ${TIMELINE_SECONDS} s of sending, measured window: POST-sent second → (a) (b) (c)`,
      );
      const window = RATE * TIMELINE_SECONDS;
      for (let from = WARMUP; from < TOTAL; from += window) {
        const cell = (at: (number | undefined)[]): string => {
          const s = at
            .slice(from, from + window)
            .flatMap((t, k) => (t === undefined ? [] : [t - (sentAt[from + k] as number)]))
            .sort((x, y) => x - y);
          return `${percentile(s, 50).toFixed(0)} / ${percentile(s, 99).toFixed(0)}`.padEnd(12);
        };
        console.log(
          `  ${String((from - WARMUP) / RATE).padStart(4)} s  ${cell(balanceAt)} ${cell(mapAt)} ${cell(remindersAt)}`,
        );
      }
      // Which hop a stall was in: each step's p99 per window, from the time each service stamped.
      const sent = sentAt.map((t) => t as number | undefined);
      const hops: [string, (number | undefined)[], (number | undefined)[]][] = [
        ['POST→payments', sent, paymentAt],
        ['payments→invoicing', paymentAt, appliedAt],
        ['invoicing→customers', appliedAt, balanceAt],
        ['customers→geocoding', balanceAt, mapAt],
        ['invoicing→notifications', appliedAt, remindersAt],
      ];
      console.log(
        `p99 (ms) of each hop per ${TIMELINE_SECONDS} s of sending: ${hops.map(([h]) => h).join(' | ')}`,
      );
      for (let from = WARMUP; from < TOTAL; from += window) {
        const cells = hops.map(([, a, b]) => {
          const s = b
            .slice(from, from + window)
            .flatMap((t, k) => {
              const t0 = a[from + k];
              return t === undefined || t0 === undefined ? [] : [t - t0];
            })
            .sort((x, y) => x - y);
          return percentile(s, 99).toFixed(0).padStart(6);
        });
        console.log(`  ${String((from - WARMUP) / RATE).padStart(4)} s  ${cells.join(' ')}`);
      }
    }
    const perPayment = BACKEND_SERVICES.map((s) => [s, delta(s, 'statements') / PAYMENTS] as const);
    console.log(
      `SQL statements per payment: ${perPayment.reduce((sum, [, n]) => sum + n, 0).toFixed(1)} = ${perPayment
        .map(([s, n]) => `${s} ${n.toFixed(1)}`)
        .join(', ')} (idle polling included)`,
    );
    console.log(
      `messages per consumer transaction (mean): ${BACKEND_SERVICES.map((s) => {
        const n = delta(s, 'transactions');
        return `${s} ${n > 0 ? (delta(s, 'transactionMessages') / n).toFixed(1) : '-'}`;
      }).join(', ')}`,
    );
    console.log(
      `outbox VACUUMs by the relays (count, mean): ${BACKEND_SERVICES.map((s) => {
        const n = delta(s, 'vacuums');
        return `${s} ${n}${n > 0 ? ` × ${((delta(s, 'vacuumSeconds') / n) * 1000).toFixed(0)} ms` : ''}`;
      }).join(', ')}`,
    );
    const total = cpu.reduce((sum, [, pct]) => sum + pct, 0);
    console.log(
      `CPU while posting (% of one core; the machine has 2): ${total.toFixed(0)}% = ${cpu
        .map(([group, pct]) => `${group} ${pct.toFixed(0)}`)
        .join(', ')}`,
    );
    console.log(
      `  postgres by database or role: ${postgresCpu.map(([part, pct]) => `${part} ${pct.toFixed(0)}`).join(', ')}`,
    );
    console.log(
      `  other by command: ${otherCpu.map(([part, pct]) => `${part} ${pct.toFixed(0)}`).join(', ')}`,
    );
    if (pgTop) {
      console.log('Postgres statements, mean backends running each (sampled from pg_stat_activity):');
      for (const l of pgTop) console.log(`  ${l}`);
    }
  } finally {
    await stack.stop();
  }
}

/**
 * DUEMAP_CPU_PROF_DIR=dir: every service profiles the measured window (SIGUSR2 starts and stops
 * it, libs/observability profileOnSignal) and writes dir/<service>.cpuprofile.
 */
function toggleProfiles(stack: Stack): void {
  if (!process.env[CPU_PROFILE_DIR_ENV]) return;
  for (const service of Object.values(stack.services)) process.kill(service.pid, 'SIGUSR2');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
