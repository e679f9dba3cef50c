import { randomUUID } from 'node:crypto';
import { decodeRecord, Topic, type EventOf, type TopicName } from '@duemap/events';
import type { ErrorBody } from '@duemap/http';
import { Money } from '@duemap/money';
import { identityHeaders, waitFor } from '@duemap/testing';
import fc from 'fast-check';
import type { Consumer } from 'kafkajs';
import { ledgerOf, statusOf } from '../src/payments/payment-ledger';
import type { PaymentView } from '../src/payments/payment.view';
import {
  customerUpserted,
  invoiceIssued,
  startPaymentsHarness,
  type PaymentsHarness,
} from './payments-harness';

/**
 * Issue 18's ledger property, against the real service, Postgres and Kafka: for any sequence of
 * payments (oldest due first, explicit allocations, overpayments), reversals, refunds (some above
 * the credit) and replays of idempotency keys, with steps of 1–6 requests sent concurrently to one
 * customer, every payment = its allocations in effect + unapplied + refunded, no invoice is
 * over-applied, refunds never exceed what was unapplied, a second reversal changes nothing, and
 * every accepted command has exactly one event on the broker. Each run is a fresh customer.
 *
 * Replay a failure with LEDGER_PROPERTY_SEED=<seed printed by fast-check> (and its path).
 */
const SEED = Number(process.env.LEDGER_PROPERTY_SEED ?? 180_018);
const RUNS = 12;

type Body = PaymentView & ErrorBody;
interface Answer {
  status: number;
  body: Body;
  replayed: boolean;
}

const minorOf = (json: { amount: string; currency: string }): bigint =>
  Money.of(json.amount, json.currency).minor;
const money = (minor: bigint) => Money.fromMinor(minor, 'CNY').toJSON();

// ---- Commands, as generated (indices are resolved against the model when their step starts) ----

interface PayCommand {
  kind: 'pay';
  amountMinor: bigint;
  /** Explicit allocations: invoice index, share of its open amount, or more than is open. */
  picks: readonly { invoice: number; share: number; over: boolean }[];
  /** Overpayment on top of explicit allocations. */
  extraMinor: bigint;
  /** The same request (key and body) sent twice at once. */
  twin: boolean;
}
interface ReverseCommand {
  kind: 'reverse';
  target: number;
  /** Two reversals of the payment at once: exactly one may win. */
  twin: boolean;
}
interface RefundCommand {
  kind: 'refund';
  target: number;
  /** Share of the credit known when the step starts; above 1 is more than there is. */
  share: number;
  twin: boolean;
}
interface ReplayPayCommand {
  kind: 'replay-pay';
  target: number;
  /** The key with another body: 409, nothing stored. */
  changed: boolean;
}
interface ReplayRefundCommand {
  kind: 'replay-refund';
  target: number;
}
type Command = PayCommand | ReverseCommand | RefundCommand | ReplayPayCommand | ReplayRefundCommand;

const payArb: fc.Arbitrary<Command> = fc.record({
  kind: fc.constant('pay' as const),
  amountMinor: fc.bigInt({ min: 1n, max: 800_000n }),
  picks: fc.oneof(
    fc.constant([]),
    fc.array(
      fc.record({
        invoice: fc.nat(4),
        share: fc.double({ min: 0.05, max: 1, noNaN: true }),
        over: fc.oneof(
          { weight: 3, arbitrary: fc.constant(false) },
          { weight: 1, arbitrary: fc.constant(true) },
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  ),
  extraMinor: fc.oneof(fc.constant(0n), fc.bigInt({ min: 1n, max: 50_000n })),
  twin: fc.boolean(),
});
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: payArb },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('reverse' as const), target: fc.nat(20), twin: fc.boolean() }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      target: fc.nat(20),
      share: fc.oneof(fc.double({ min: 0.05, max: 1, noNaN: true }), fc.constantFrom(1, 1.5, 1000)),
      twin: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('replay-pay' as const),
      target: fc.nat(20),
      changed: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('replay-refund' as const), target: fc.nat(20) }) },
);

const scenarioArb = fc.record({
  invoiceTotals: fc.array(fc.bigInt({ min: 100n, max: 500_000n }), { minLength: 1, maxLength: 5 }),
  steps: fc.array(fc.array(commandArb, { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 6 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

// ---- The model: what the accepted answers say the books hold ----

interface ModelPayment {
  id: string;
  key: string;
  body: Record<string, unknown>;
  amountMinor: bigint;
  allocations: Map<string, bigint>;
  refunds: { key: string; body: Record<string, unknown>; amountMinor: bigint }[];
  reversed: boolean;
}

class Model {
  readonly payments: ModelPayment[] = [];
  constructor(readonly invoices: { id: string; totalMinor: bigint }[]) {}

  appliedOf(p: ModelPayment): bigint {
    return p.reversed ? 0n : [...p.allocations.values()].reduce((s, m) => s + m, 0n);
  }
  refundedOf(p: ModelPayment): bigint {
    return p.refunds.reduce((s, r) => s + r.amountMinor, 0n);
  }
  creditOf(p: ModelPayment): bigint {
    return p.reversed ? 0n : this.creditAtReversal(p);
  }
  /**
   * What a reversal takes back from the customer's credit. Refunds accepted in the same step as
   * the reversal came before it (a reversed payment refuses them), so it is the credit net of all.
   */
  creditAtReversal(p: ModelPayment): bigint {
    return p.amountMinor - [...p.allocations.values()].reduce((s, m) => s + m, 0n) - this.refundedOf(p);
  }
  openOf(invoiceId: string): bigint {
    const total = this.invoices.find((i) => i.id === invoiceId)?.totalMinor ?? 0n;
    return this.payments.reduce(
      (open, p) => open - (p.reversed ? 0n : (p.allocations.get(invoiceId) ?? 0n)),
      total,
    );
  }
  pick<T>(items: readonly T[], index: number): T | undefined {
    return items.length === 0 ? undefined : items[index % items.length];
  }
}

/** What one generated command became: its requests (sent at once) and how to judge their answers. */
interface Planned {
  kind: Command['kind'];
  label: string;
  requests: { method: string; path: string; body: unknown; key?: string }[];
  judge(answers: Answer[], concurrent: boolean): void;
}

describe('payments ledger: any sequence of payments, reversals and refunds keeps the books', () => {
  let h: PaymentsHarness;
  let collector: Consumer | undefined;
  const seen: { topic: TopicName; event: unknown }[] = [];
  const topics = [Topic.PaymentReceived, Topic.PaymentReversed, Topic.RefundIssued] as const;
  let headers: Record<string, string>;

  beforeAll(async () => {
    h = await startPaymentsHarness();
    headers = await identityHeaders({ roles: ['finance'] });
    collector = h.client.consumer({ groupId: `spec-${randomUUID()}` });
    await collector.connect();
    await collector.subscribe({ topics: [...topics], fromBeginning: true });
    await collector.run({
      eachMessage: ({ topic, message }) => {
        const name = topics.find((t) => t === topic) as TopicName;
        const { event } = decodeRecord({
          topic: name,
          key: message.key,
          value: message.value,
          headers: message.headers,
        });
        seen.push({ topic: name, event });
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await collector?.disconnect();
    await h?.close();
  });

  async function call(method: string, path: string, body?: unknown, key?: string): Promise<Answer> {
    const res = await fetch(`${h.app.url}${path}`, {
      method,
      headers: {
        ...headers,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as Body,
      replayed: res.headers.get('idempotent-replayed') === 'true',
    };
  }

  function eventsOf<T extends TopicName>(topic: T, customerId: string): EventOf<T>[] {
    return seen
      .filter((e) => e.topic === topic && (e.event as { customerId: string }).customerId === customerId)
      .map((e) => e.event as EventOf<T>);
  }

  /** A customer and its open invoices in payments' read model, fed as their owners' events. */
  async function seed(invoiceTotals: readonly bigint[]): Promise<{ customerId: string; model: Model }> {
    const customerId = randomUUID();
    const invoices = invoiceTotals.map((total, i) =>
      invoiceIssued({
        customerId,
        number: `LP-${customerId.slice(0, 8)}-${i}`,
        total: money(total),
        issueDate: '2025-12-01',
        // Distinct due dates in a shuffled order, so oldest-due-first is not the index order.
        dueDate: `2026-01-${String(10 + ((i * 7) % 19)).padStart(2, '0')}`,
      }),
    );
    const ids = invoices.map(() => randomUUID());
    const customerEvent = randomUUID();
    await h.publisher.publishAll([
      h.publisher.encode(Topic.CustomerUpserted, customerUpserted(customerId, `Ledger ${customerId}`), {
        eventId: customerEvent,
      }),
      ...invoices.map((inv, i) => h.publisher.encode(Topic.InvoiceIssued, inv, { eventId: ids[i] })),
    ]);
    await h.handled(customerEvent, ...ids);
    return {
      customerId,
      model: new Model(
        invoices.map((inv, i) => ({ id: inv.invoiceId, totalMinor: invoiceTotals[i] as bigint })),
      ),
    };
  }

  function expectError(answer: Answer, status: number, codes: readonly string[], label: string): void {
    expect({ label, status: answer.status, code: answer.body.error?.code }).toEqual({
      label,
      status,
      code: expect.stringMatching(new RegExp(`^(${codes.join('|')})$`)),
    });
  }

  /** Turns a command into requests against the model as it stands when its step starts. */
  function plan(
    command: Command,
    customerId: string,
    model: Model,
    step: { hasReversal: boolean; reversing: Set<string> },
  ): Planned | undefined {
    switch (command.kind) {
      case 'pay': {
        const allocations: { invoiceId: string; amount: { amount: string; currency: string } }[] = [];
        let over = false;
        for (const p of command.picks) {
          const invoice = model.pick(model.invoices, p.invoice) as { id: string };
          if (allocations.some((a) => a.invoiceId === invoice.id)) continue;
          const open = model.openOf(invoice.id);
          const minor = p.over ? open + 1n : (open * BigInt(Math.round(p.share * 1000))) / 1000n;
          if (minor <= 0n) continue;
          over ||= p.over;
          allocations.push({ invoiceId: invoice.id, amount: money(minor) });
        }
        const allocated = allocations.reduce((s, a) => s + minorOf(a.amount), 0n);
        const amountMinor = allocations.length > 0 ? allocated + command.extraMinor : command.amountMinor;
        const key = randomUUID();
        const body = {
          customerId,
          amount: money(amountMinor),
          receivedAt: '2026-01-20T09:00:00Z',
          method: 'bank_transfer',
          // No invoice number in it: REST payments read their reference (that is another spec's subject).
          reference: 'property spec',
          ...(allocations.length > 0 ? { allocations } : {}),
        };
        const request = { method: 'POST', path: '/api/v1/payments', body, key };
        return {
          kind: command.kind,
          label: `pay ${Money.fromMinor(amountMinor, 'CNY').toString()}${allocations.length > 0 ? ` explicit${over ? ' over' : ''}` : ''}`,
          requests: command.twin ? [request, request] : [request],
          judge(answers, concurrent) {
            const ok = answers.filter((a) => a.status === 201);
            if (ok.length === 0) {
              // An explicit allocation above what is open; concurrently, open amounts may also have been taken.
              for (const a of answers) expectError(a, 422, ['ALLOCATION_EXCEEDS_OPEN_AMOUNT'], this.label);
              expect({ label: this.label, refusedThough: over || concurrent }).toEqual({
                label: this.label,
                refusedThough: true,
              });
              return;
            }
            if (over && !step.hasReversal) throw new Error(`${this.label}: accepted more than is open`);
            // Twins: one payment, the other answer a replay of it.
            expect(ok.length).toBe(answers.length);
            expect(new Set(ok.map((a) => a.body.id)).size).toBe(1);
            expect(ok.filter((a) => !a.replayed)).toHaveLength(1);
            const view = ok.find((a) => !a.replayed)?.body as PaymentView;
            model.payments.push({
              id: view.id,
              key,
              body,
              amountMinor,
              allocations: new Map(view.allocations.map((a) => [a.invoiceId, minorOf(a.applied)])),
              refunds: [],
              reversed: false,
            });
          },
        };
      }
      case 'reverse': {
        const target = model.pick(model.payments, command.target);
        // Concurrent reversals of one payment are its twins; another command's would judge them apart.
        if (target === undefined || step.reversing.has(target.id)) return undefined;
        step.reversing.add(target.id);
        const wasReversed = target.reversed;
        const request = {
          method: 'POST',
          path: `/api/v1/payments/${target.id}/reverse`,
          body: { reason: 'returned', detail: 'property spec' },
        };
        return {
          kind: command.kind,
          label: `reverse ${target.id}${wasReversed ? ' (reversed already)' : ''}`,
          requests: command.twin ? [request, request] : [request],
          judge: (answers) => {
            const won = answers.filter((a) => a.status === 200);
            for (const a of answers.filter((x) => x.status !== 200)) {
              expectError(a, 409, ['PAYMENT_ALREADY_REVERSED'], `second reversal of ${target.id}`);
            }
            // Of reversals of one payment, exactly one wins; none when it was reversed already.
            expect({ target: target.id, won: won.length }).toEqual({
              target: target.id,
              won: wasReversed ? 0 : 1,
            });
            if (won.length === 1 && !target.reversed) {
              expect(won[0]?.body).toMatchObject({ status: 'reversed', unapplied: money(0n) });
              target.reversed = true;
            }
          },
        };
      }
      case 'refund': {
        const target = model.pick(model.payments, command.target);
        if (target === undefined) return undefined;
        const credit = model.creditOf(target);
        const wasReversed = target.reversed;
        // Above 1: more than the credit, up to more than the whole payment.
        const minor =
          command.share > 1
            ? command.share >= 1000
              ? target.amountMinor + 1n
              : credit + 1n + credit / 2n
            : (credit * BigInt(Math.round(command.share * 1000))) / 1000n;
        if (minor <= 0n) return undefined;
        const key = randomUUID();
        const body = { amount: money(minor), method: 'bank_transfer', reference: `rf ${key.slice(0, 8)}` };
        const request = { method: 'POST', path: `/api/v1/payments/${target.id}/refunds`, body, key };
        const aboveCredit = minor > credit;
        return {
          kind: command.kind,
          label: `refund ${Money.fromMinor(minor, 'CNY').toString()} of ${target.id} (credit ${credit})`,
          requests: command.twin ? [request, request] : [request],
          judge(answers, concurrent) {
            const ok = answers.filter((a) => a.status === 201);
            if (wasReversed) {
              for (const a of answers) expectError(a, 409, ['PAYMENT_ALREADY_REVERSED'], this.label);
              return;
            }
            if (ok.length === 0) {
              for (const a of answers) {
                expectError(a, a.status, ['REFUND_EXCEEDS_CREDIT', 'PAYMENT_ALREADY_REVERSED'], this.label);
                expect([422, 409]).toContain(a.status);
              }
              // Refused although it fitted: only another command of the step can have taken the credit.
              expect({ label: this.label, refusedThough: aboveCredit || concurrent }).toEqual({
                label: this.label,
                refusedThough: true,
              });
              return;
            }
            // Credit only shrinks: a refund above it is never accepted.
            expect({ label: this.label, acceptedAboveCredit: aboveCredit }).toEqual({
              label: this.label,
              acceptedAboveCredit: false,
            });
            expect(ok.length).toBe(answers.length);
            expect(ok.filter((a) => !a.replayed)).toHaveLength(1);
            target.refunds.push({ key, body, amountMinor: minor });
          },
        };
      }
      case 'replay-pay': {
        const target = model.pick(model.payments, command.target);
        if (target === undefined) return undefined;
        const body = command.changed
          ? { ...target.body, amount: money(target.amountMinor + 1n), allocations: undefined }
          : target.body;
        return {
          kind: command.kind,
          label: `replay key of ${target.id}${command.changed ? ' with another body' : ''}`,
          requests: [{ method: 'POST', path: '/api/v1/payments', body, key: target.key }],
          judge(answers) {
            const [a] = answers as [Answer];
            if (command.changed) {
              expectError(a, 409, ['IDEMPOTENCY_KEY_REUSED'], this.label);
              return;
            }
            expect({ label: this.label, status: a.status, replayed: a.replayed, id: a.body.id }).toEqual({
              label: this.label,
              status: 201,
              replayed: true,
              id: target.id,
            });
          },
        };
      }
      case 'replay-refund': {
        const withRefunds = model.payments.filter((p) => p.refunds.length > 0);
        const target = model.pick(withRefunds, command.target);
        if (target === undefined) return undefined;
        const refund = model.pick(target.refunds, command.target) as ModelPayment['refunds'][number];
        return {
          kind: command.kind,
          label: `replay refund key ${refund.key} of ${target.id}`,
          requests: [
            {
              method: 'POST',
              path: `/api/v1/payments/${target.id}/refunds`,
              body: refund.body,
              key: refund.key,
            },
          ],
          judge(answers) {
            const [a] = answers as [Answer];
            expect({ label: this.label, status: a.status, replayed: a.replayed }).toEqual({
              label: this.label,
              status: 201,
              replayed: true,
            });
          },
        };
      }
    }
  }

  /** Every payment of the customer as stored, with its allocations and refunds. */
  async function books(customerId: string) {
    const { rows } = await h.db.query<{
      id: string;
      amount: string;
      refunded: string;
      status: string;
      refunds_sum: string;
      refunds_n: number;
      in_effect: string;
      undone: string;
      live_allocations: number;
    }>(
      `SELECT p.id, p.amount_minor::text AS amount, p.refunded_minor::text AS refunded, p.status,
              (SELECT COALESCE(SUM(r.amount_minor), 0)::text FROM payment_refund r WHERE r.payment_id = p.id) AS refunds_sum,
              (SELECT count(*)::int FROM payment_refund r WHERE r.payment_id = p.id) AS refunds_n,
              COALESCE(SUM(a.applied_minor - a.rejected_minor) FILTER (WHERE a.reversed_at IS NULL), 0)::text AS in_effect,
              COALESCE(SUM(a.applied_minor - a.rejected_minor) FILTER (WHERE a.reversed_at IS NOT NULL), 0)::text AS undone,
              (count(a.invoice_id) FILTER (WHERE a.reversed_at IS NULL))::int AS live_allocations
         FROM payment p LEFT JOIN payment_allocation a ON a.payment_id = p.id
        WHERE p.customer_id = $1 GROUP BY p.id ORDER BY p.id`,
      [customerId],
    );
    const invoices = await h.db.query<{ invoice_id: string; total: string; in_effect: string }>(
      `SELECT i.invoice_id, i.total_minor::text AS total,
              COALESCE(SUM(a.applied_minor - a.rejected_minor) FILTER (WHERE a.reversed_at IS NULL), 0)::text AS in_effect
         FROM invoice_view i LEFT JOIN payment_allocation a ON a.invoice_id = i.invoice_id
        WHERE i.customer_id = $1 GROUP BY i.invoice_id ORDER BY i.invoice_id`,
      [customerId],
    );
    return { payments: rows, invoices: invoices.rows };
  }

  async function checkBooks(customerId: string, model: Model): Promise<void> {
    const { payments, invoices } = await books(customerId);
    // Exactly the accepted payments exist: refused, replayed and twin requests stored nothing.
    expect(payments.map((p) => p.id).sort()).toEqual(model.payments.map((p) => p.id).sort());
    for (const row of payments) {
      const m = model.payments.find((p) => p.id === row.id) as ModelPayment;
      const amount = BigInt(row.amount);
      const inEffect = BigInt(row.in_effect);
      const refunded = BigInt(row.refunded);
      expect({
        id: row.id,
        amount,
        refunded,
        refundsSum: BigInt(row.refunds_sum),
        refunds: row.refunds_n,
      }).toEqual({
        id: m.id,
        amount: m.amountMinor,
        refunded: model.refundedOf(m),
        refundsSum: model.refundedOf(m),
        refunds: m.refunds.length,
      });
      const view = await call('GET', `/api/v1/payments/${row.id}`);
      expect(view.status).toBe(200);
      const viewApplied = view.body.allocations
        .filter((a) => a.reversed !== true)
        .reduce((s, a) => s + minorOf(a.applied), 0n);
      const unapplied = minorOf(view.body.unapplied);
      if (m.reversed) {
        // Nothing in effect, no credit; what was refunded before stays refunded; refunds ≤ what was unapplied.
        expect({
          id: m.id,
          status: row.status,
          inEffect,
          live: row.live_allocations,
          viewApplied,
          unapplied,
        }).toEqual({
          id: m.id,
          status: 'reversed',
          inEffect: 0n,
          live: 0,
          viewApplied: 0n,
          unapplied: 0n,
        });
        expect(refunded + BigInt(row.undone)).toBeLessThanOrEqual(amount);
        expect(amount - BigInt(row.undone) - refunded).toBe(model.creditAtReversal(m));
      } else {
        // amount = allocations in effect + unapplied + refunded, with the API's view agreeing.
        expect(inEffect).toBe(model.appliedOf(m));
        expect(viewApplied).toBe(inEffect);
        expect(unapplied).toBe(model.creditOf(m));
        expect(inEffect + unapplied + refunded).toBe(amount);
        expect(unapplied).toBeGreaterThanOrEqual(0n);
        const ledger = ledgerOf(
          amount,
          [{ appliedMinor: inEffect, rejectedMinor: 0n, reversed: false }],
          refunded,
          false,
        );
        expect({ id: m.id, status: row.status }).toEqual({ id: m.id, status: statusOf(ledger, 'decided') });
      }
      expect({ id: m.id, refunded: minorOf(view.body.refunded), status: view.body.status }).toEqual({
        id: m.id,
        refunded,
        status: row.status,
      });
    }
    // No invoice over-applied, and each holds what the accepted, unreversed payments put on it.
    expect(invoices).toHaveLength(model.invoices.length);
    for (const inv of invoices) {
      const total = BigInt(inv.total);
      const applied = BigInt(inv.in_effect);
      expect({ invoice: inv.invoice_id, overApplied: applied > total }).toEqual({
        invoice: inv.invoice_id,
        overApplied: false,
      });
      expect(total - applied).toBe(model.openOf(inv.invoice_id));
    }
  }

  /** Each accepted payment, reversal and refund has exactly one event, and says the same as the books. */
  async function checkEvents(customerId: string, model: Model): Promise<void> {
    const reversed = model.payments.filter((p) => p.reversed);
    const refundKeys = model.payments.flatMap((p) => p.refunds.map((r) => r.key));
    await waitFor(
      'the outbox relayed every event of the customer',
      async () => {
        const { rows } = await h.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE message_key = $1`,
          [customerId],
        );
        const received = eventsOf(Topic.PaymentReceived, customerId).length;
        const rev = eventsOf(Topic.PaymentReversed, customerId).length;
        const refunds = eventsOf(Topic.RefundIssued, customerId).length;
        return rows[0]?.n === 0 &&
          received >= model.payments.length &&
          rev >= reversed.length &&
          refunds >= refundKeys.length
          ? true
          : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 50 },
    );
    const received = eventsOf(Topic.PaymentReceived, customerId);
    expect(received.map((e) => e.paymentId).sort()).toEqual(model.payments.map((p) => p.id).sort());
    for (const e of received) {
      const m = model.payments.find((p) => p.id === e.paymentId) as ModelPayment;
      const allocated = e.allocations.reduce((s, a) => s + minorOf(a.applied ?? money(0n)), 0n);
      expect(allocated + minorOf(e.unapplied ?? money(0n))).toBe(m.amountMinor);
      expect(new Map(e.allocations.map((a) => [a.invoiceId, minorOf(a.applied ?? money(0n))]))).toEqual(
        m.allocations,
      );
    }
    const reversals = eventsOf(Topic.PaymentReversed, customerId);
    expect(reversals.map((e) => e.paymentId).sort()).toEqual(reversed.map((p) => p.id).sort());
    for (const e of reversals) {
      const m = model.payments.find((p) => p.id === e.paymentId) as ModelPayment;
      const undone = e.reversedAllocations.reduce((s, a) => s + minorOf(a.amount ?? money(0n)), 0n);
      expect({ id: m.id, undone, credit: minorOf(e.reversedUnapplied ?? money(0n)) }).toEqual({
        id: m.id,
        undone: [...m.allocations.values()].reduce((s, x) => s + x, 0n),
        credit: model.creditAtReversal(m),
      });
    }
    const refunds = eventsOf(Topic.RefundIssued, customerId);
    expect(refunds.map((e) => e.source?.externalId).sort()).toEqual([...refundKeys].sort());
  }

  it('keeps every payment = allocations + unapplied + refunded, with no invoice over-applied', async () => {
    const started = Date.now();
    let runs = 0;
    let concurrentSteps = 0;
    /** Answers by command and status, e.g. `refund 422`: the figures printed at the end. */
    const tally = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario: Scenario) => {
        runs++;
        const { customerId, model } = await seed(scenario.invoiceTotals);
        for (const step of scenario.steps) {
          const context = {
            hasReversal: step.some((c) => c.kind === 'reverse'),
            reversing: new Set<string>(),
          };
          const planned = step
            .map((c) => plan(c, customerId, model, context))
            .filter((p): p is Planned => p !== undefined);
          const requests = planned.flatMap((p) => p.requests.map((r) => ({ p, r })));
          const concurrent = requests.length > 1;
          if (concurrent) concurrentSteps++;
          // The whole step at once: 1–6 (twins included: up to 8) requests to one customer.
          const answers = await Promise.all(requests.map(({ r }) => call(r.method, r.path, r.body, r.key)));
          answers.forEach((a, i) => {
            const label = requests[i]?.p.label;
            const outcome = `${requests[i]?.p.kind} ${a.status}${a.replayed ? ' replayed' : ''}`;
            tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
            expect({ label, status: a.status < 500 ? 'not 5xx' : a.body }).toEqual({
              label,
              status: 'not 5xx',
            });
          });
          for (const p of planned) {
            p.judge(
              answers.filter((_, i) => requests[i]?.p === p),
              concurrent,
            );
          }
        }
        await checkBooks(customerId, model);
        await checkEvents(customerId, model);

        // A second reversal of a reversed payment: 409, and nothing changes (books nor events).
        const reversed = model.payments.filter((p) => p.reversed);
        if (reversed.length > 0) {
          const before = await books(customerId);
          const eventsBefore = seen.length;
          for (const p of reversed) {
            const again = await call('POST', `/api/v1/payments/${p.id}/reverse`, { reason: 'duplicate' });
            expectError(again, 409, ['PAYMENT_ALREADY_REVERSED'], `reverse ${p.id} again`);
          }
          expect(await books(customerId)).toEqual(before);
          const { rows } = await h.db.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM outbox WHERE message_key = $1`,
            [customerId],
          );
          expect(rows[0]?.n).toBe(0);
          expect(seen.length).toBe(eventsBefore);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    const answers = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`);
    console.log(
      `ledger property: ${runs} runs, seed ${SEED}, ${concurrentSteps} concurrent steps, ` +
        `${Date.now() - started} ms; answers ${answers.join(', ')}`,
    );
  });
});
