import { randomUUID } from 'node:crypto';
import { decodeRecord, Topic, type EventOf, type TopicName } from '@duemap/events';
import { identityHeaders, waitFor } from '@duemap/testing';
import type { Consumer } from 'kafkajs';
import type { ErrorBody } from '@duemap/http';
import { camt053Credits, type CamtCredit } from '../src/bank-statements/parsing/testing/camt053-credits';
import type { PaymentView } from '../src/payments/payment.view';
import type { PaymentPage } from '../src/payments/usecases/list-payments.usecase';
import {
  cny,
  customerUpserted,
  invoiceIssued,
  startPaymentsHarness,
  type PaymentsHarness,
} from './payments-harness';

type Body = PaymentView & ErrorBody;
type Role = 'admin' | 'finance' | 'collector' | 'viewer' | 'integration';

const ACCOUNT = 'CN-ICBC-4000023009200123456';

/**
 * Cash application end to end inside payments: a camt.053 upload becomes payments (applied by the
 * engine, or waiting in the worklist), a person decides the unsure one, reversals and refunds
 * undo and pay back, and the listing pages through it all — against real Postgres and Kafka.
 */
describe('cash application: statement lines, worklist, reversals, refunds', () => {
  let h: PaymentsHarness;
  let collector: Consumer | undefined;
  const seen: { topic: TopicName; paymentId: string; event: unknown }[] = [];

  beforeAll(async () => {
    h = await startPaymentsHarness();
    collector = h.client.consumer({ groupId: `spec-${randomUUID()}` });
    await collector.connect();
    const topics = [Topic.PaymentReceived, Topic.PaymentReversed, Topic.RefundIssued] as const;
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
        seen.push({ topic: name, paymentId: (event as { paymentId: string }).paymentId, event });
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await collector?.disconnect();
    await h?.close();
  });

  async function call(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
    roles: Role[] = ['finance'],
  ): Promise<{ status: number; body: Body }> {
    const res = await fetch(`${h.app.url}${path}`, {
      method,
      headers: {
        ...(await identityHeaders({ roles })),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...extra,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Body };
  }

  async function newCustomer(name: string): Promise<string> {
    const customerId = randomUUID();
    await h.handled(await h.publisher.publish(Topic.CustomerUpserted, customerUpserted(customerId, name)));
    return customerId;
  }

  async function newInvoice(customerId: string, number: string, total: string, dueDate = '2026-01-15') {
    const event = invoiceIssued({ customerId, number, total: cny(total), dueDate, issueDate: '2025-12-15' });
    await h.handled(await h.publisher.publish(Topic.InvoiceIssued, event));
    return event.invoiceId;
  }

  /** Uploads a camt.053 and waits until cash application has turned every credit into a payment. */
  async function uploadStatement(credits: CamtCredit[]): Promise<PaymentView[]> {
    const statementId = `STMT-${randomUUID()}`;
    const res = await fetch(`${h.app.url}/api/v1/bank-statements`, {
      method: 'POST',
      headers: { ...(await identityHeaders({ roles: ['finance'] })), 'content-type': 'application/xml' },
      body: camt053Credits(statementId, ACCOUNT, credits),
    });
    const answer = (await res.json()) as { id: string; candidates: number } & ErrorBody;
    expect(res.status).toBe(201);
    expect(answer.candidates).toBe(credits.length);
    return waitFor('statement lines turned into payments', async () => {
      const page = (await call('GET', `/api/v1/payments?statementId=${answer.id}&limit=200`))
        .body as unknown as PaymentPage;
      return page.items.length === credits.length
        ? [...page.items].sort((a, b) => (a.bank?.lineNo ?? 0) - (b.bank?.lineNo ?? 0))
        : undefined;
    });
  }

  /** Every event of the topic about this payment seen so far on the broker. */
  function eventsOf<T extends TopicName>(topic: T, paymentId: string): EventOf<T>[] {
    return seen
      .filter((e) => e.topic === topic && e.paymentId === paymentId)
      .map((e) => e.event as EventOf<T>);
  }

  async function openOf(invoiceId: string): Promise<string> {
    const { rows } = await h.db.query<{ open: string }>(
      `SELECT (i.total_minor - i.pre_settled_minor - COALESCE(SUM(a.applied_minor - a.rejected_minor)
                 FILTER (WHERE a.reversed_at IS NULL), 0))::text AS open
         FROM invoice_view i LEFT JOIN payment_allocation a ON a.invoice_id = i.invoice_id
        WHERE i.invoice_id = $1 GROUP BY i.invoice_id`,
      [invoiceId],
    );
    return rows[0]?.open ?? 'missing';
  }

  it('applies what the engine is sure of, sends the rest to the worklist, and learns the payer account a person confirms', async () => {
    const hualian = await newCustomer('深圳华联电子有限公司');
    const acme = await newCustomer('Acme Trading Co., Ltd.');
    const unknownPayer = await newCustomer('Zhejiang Lantern Works Co., Ltd.');
    const hl1 = await newInvoice(hualian, 'INV-2026-004217', '1200.00');
    const hl2 = await newInvoice(hualian, 'INV-2026-004218', '800.00', '2026-02-15');
    const acme1 = await newInvoice(acme, 'AC-77120931', '5430.25');
    const lantern = await newInvoice(unknownPayer, 'ZL-1001', '999.99');

    const [byReference, byNameAndAmount, unsure] = (await uploadStatement([
      {
        amount: '1200.00',
        currency: 'CNY',
        valueDate: '2026-01-10',
        payerName: '深圳华联电子有限公司',
        remittance: '货款 INV-2026-0O4217',
        bankReference: `BTX-${randomUUID()}`,
      },
      {
        amount: '5430.25',
        currency: 'CNY',
        valueDate: '2026-01-10',
        payerName: 'ACME TRADING CO LTD',
        remittance: 'payment',
        bankReference: `BTX-${randomUUID()}`,
      },
      {
        amount: '999.99',
        currency: 'CNY',
        valueDate: '2026-01-11',
        payerName: 'WANG LI',
        payerIban: 'CN6201234567890123456',
        remittance: 'goods',
        bankReference: `BTX-${randomUUID()}`,
      },
    ])) as [PaymentView, PaymentView, PaymentView];

    expect(byReference).toMatchObject({
      customerId: hualian,
      status: 'applied',
      source: 'bank_statement',
      allocations: [{ invoiceId: hl1, rule: 'invoice_reference', applied: cny('1200.00') }],
      payer: { name: '深圳华联电子有限公司' },
    });
    expect(byReference.allocations[0]?.evidence?.join(' ')).toMatch(/INV-2026-0O4217|INV-2026-004217/);
    expect(await openOf(hl1)).toBe('0');
    expect(await openOf(hl2)).toBe('80000');
    expect(byNameAndAmount).toMatchObject({ customerId: acme, status: 'applied' });
    expect(byNameAndAmount.allocations).toMatchObject([{ invoiceId: acme1, applied: cny('5430.25') }]);

    // A private person's name, no reference, an amount one invoice in the book happens to have open.
    expect(unsure.status).toBe('needs_review');
    expect(unsure.allocations).toEqual([]);
    expect(unsure.review?.reasons.length).toBeGreaterThan(0);
    expect(await openOf(lantern)).toBe('99999');
    const worklist = (await call('GET', '/api/v1/payments?status=needs_review&limit=200'))
      .body as unknown as PaymentPage;
    expect(worklist.items.map((p) => p.id)).toContain(unsure.id);
    expect(worklist.items.every((p) => p.status === 'needs_review')).toBe(true);
    await waitFor('payment-received of the applied line', () =>
      eventsOf(Topic.PaymentReceived, byReference.id).length === 1 ? true : undefined,
    );

    // Refunds and reversals wait until a person has decided it.
    expect(
      (await call('POST', `/api/v1/payments/${unsure.id}/reverse`, { reason: 'returned' })).body.error.code,
    ).toBe('PAYMENT_IN_REVIEW');
    // Allocation to another customer's invoice: 422 naming it, nothing decided.
    const wrong = await call('POST', `/api/v1/payments/${unsure.id}/apply`, {
      customerId: unknownPayer,
      allocations: [{ invoiceId: hl2, amount: cny('999.99') }],
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error).toMatchObject({ code: 'INVOICE_OF_ANOTHER_CUSTOMER' });
    expect((await call('GET', `/api/v1/payments/${unsure.id}`)).body.status).toBe('needs_review');

    // allocations: null reads as absent (the hostile-input property once found it answered 500).
    const decided = await call('POST', `/api/v1/payments/${unsure.id}/apply`, {
      customerId: unknownPayer,
      allocations: null,
    });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({
      customerId: unknownPayer,
      status: 'applied',
      allocations: [{ invoiceId: lantern, applied: cny('999.99') }],
    });
    expect(decided.body.reviewedBy).toEqual(expect.any(String));
    expect(decided.body.allocations[0]?.evidence?.at(-1)).toMatch(/by /);
    expect(await openOf(lantern)).toBe('0');
    await waitFor('payment-received of the decided payment', () =>
      eventsOf(Topic.PaymentReceived, unsure.id).length === 1 ? true : undefined,
    );
    expect(
      (await call('POST', `/api/v1/payments/${unsure.id}/apply`, { customerId: unknownPayer })).body.error
        .code,
    ).toBe('PAYMENT_NOT_IN_REVIEW');

    // The same account pays again: now the payer is known by it, and the payment applies by itself.
    const lantern2 = await newInvoice(unknownPayer, 'ZL-1002', '321.00');
    const [again] = (await uploadStatement([
      {
        amount: '321.00',
        currency: 'CNY',
        valueDate: '2026-01-20',
        payerName: 'WANG LI',
        payerIban: 'CN62 0123 4567 8901 2345 6',
        remittance: 'goods',
        bankReference: `BTX-${randomUUID()}`,
      },
    ])) as [PaymentView];
    expect(again).toMatchObject({
      customerId: unknownPayer,
      status: 'applied',
      allocations: [{ invoiceId: lantern2, applied: cny('321.00') }],
    });
  });

  it('the same amount, day and payer under another bank reference is flagged for review as a possible duplicate, not dropped', async () => {
    const customerId = await newCustomer('Twin Transfer Ltd');
    await newInvoice(customerId, 'TW-88120001', '640.00');
    await newInvoice(customerId, 'TW-88120002', '640.00');
    const transfer = (bankReference: string, invoice: string): CamtCredit => ({
      amount: '640.00',
      currency: 'CNY',
      valueDate: '2026-02-03',
      payerName: 'Twin Transfer Ltd',
      payerIban: 'DE89370400440532013000',
      remittance: invoice,
      bankReference,
    });
    const [first] = (await uploadStatement([transfer(`BTX-${randomUUID()}`, 'TW-88120001')])) as [
      PaymentView,
    ];
    expect(first.status).toBe('applied');
    const [second] = (await uploadStatement([transfer(`BTX-${randomUUID()}`, 'TW-88120002')])) as [
      PaymentView,
    ];
    expect(second.status).toBe('needs_review');
    expect(second.review?.reasons).toContain('possible_duplicate');
    expect(second.review?.evidence.join(' ')).toContain(first.id);
  });

  it('a REST payment whose reference names invoices pays those first (O/0 read as one), the rest oldest due first', async () => {
    const customerId = await newCustomer('Reference Reader Ltd');
    const oldest = await newInvoice(customerId, 'RR-2026-000101', '100.00', '2026-01-01');
    const named = await newInvoice(customerId, 'RR-2026-000207', '250.00', '2026-03-01');
    const res = await call(
      'POST',
      '/api/v1/payments',
      {
        customerId,
        amount: cny('300.00'),
        receivedAt: '2026-03-02T10:00:00Z',
        method: 'bank_transfer',
        reference: 'pay RR 2026-OOO207 thanks',
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(res.status).toBe(201);
    expect(res.body.allocations).toMatchObject([
      { invoiceId: named, applied: cny('250.00'), rule: 'invoice_reference' },
      { invoiceId: oldest, applied: cny('50.00') },
    ]);
    // No number in the reference: oldest due first, as always.
    const plain = await call(
      'POST',
      '/api/v1/payments',
      {
        customerId,
        amount: cny('10.00'),
        receivedAt: '2026-03-02T10:00:00Z',
        method: 'cash',
        reference: 'cash at the door',
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(plain.body.allocations).toMatchObject([{ invoiceId: oldest, rule: 'oldest_due_first' }]);
  });

  it('a reversal reopens what the payment paid, emits payment-reversed, and cannot be repeated', async () => {
    const customerId = await newCustomer('Reversal Test GmbH');
    const invoiceId = await newInvoice(customerId, 'RV-0001', '500.00');
    const paid = await call(
      'POST',
      '/api/v1/payments',
      {
        customerId,
        amount: cny('650.00'),
        receivedAt: '2026-01-05T10:00:00Z',
        method: 'cheque',
        reference: 'chq 1',
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(paid.body).toMatchObject({ status: 'partially_applied', unapplied: cny('150.00') });
    expect(await openOf(invoiceId)).toBe('0');

    const viewerTry = await call(
      'POST',
      `/api/v1/payments/${paid.body.id}/reverse`,
      { reason: 'returned' },
      {},
      ['viewer'],
    );
    expect(viewerTry.status).toBe(403);
    const bad = await call('POST', `/api/v1/payments/${paid.body.id}/reverse`, { reason: 'because' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.[0]?.field).toBe('reason');

    const reversed = await call('POST', `/api/v1/payments/${paid.body.id}/reverse`, {
      reason: 'insufficient_funds',
      detail: 'cheque returned unpaid',
    });
    expect(reversed.status).toBe(200);
    expect(reversed.body).toMatchObject({
      status: 'reversed',
      unapplied: cny('0.00'),
      allocations: [{ invoiceId, reversed: true }],
      reversal: { reason: 'insufficient_funds', detail: 'cheque returned unpaid' },
    });
    expect(await openOf(invoiceId)).toBe('50000');
    const [event] = await waitFor('payment-reversed published', () => {
      const events = eventsOf(Topic.PaymentReversed, paid.body.id);
      return events.length > 0 ? events : undefined;
    });
    expect(event).toMatchObject({
      customerId,
      reversedAllocations: [{ invoiceId, amount: cny('500.00') }],
      reversedUnapplied: cny('150.00'),
    });

    const twice = await call('POST', `/api/v1/payments/${paid.body.id}/reverse`, { reason: 'returned' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('PAYMENT_ALREADY_REVERSED');
    const refundReversed = await call(
      'POST',
      `/api/v1/payments/${paid.body.id}/refunds`,
      { amount: cny('1.00'), method: 'bank_transfer' },
      { 'idempotency-key': randomUUID() },
    );
    expect(refundReversed.body.error.code).toBe('PAYMENT_ALREADY_REVERSED');
  });

  it('refunds credit up to what is unapplied, idempotently, and never more', async () => {
    const customerId = await newCustomer('Refund Test Ltd');
    const paid = await call(
      'POST',
      '/api/v1/payments',
      {
        customerId,
        amount: cny('300.00'),
        receivedAt: '2026-01-05T10:00:00Z',
        method: 'bank_transfer',
        reference: '',
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(paid.body).toMatchObject({ status: 'received', unapplied: cny('300.00') });
    const refund = (amount: string, key: string, currency = 'CNY') =>
      call(
        'POST',
        `/api/v1/payments/${paid.body.id}/refunds`,
        { amount: { amount, currency }, method: 'bank_transfer', reference: 'TRF-1' },
        { 'idempotency-key': key },
      );

    const tooMuch = await refund('300.01', randomUUID());
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error).toMatchObject({ code: 'REFUND_EXCEEDS_CREDIT' });
    expect((await refund('10.00', randomUUID(), 'USD')).body.error.code).toBe('CURRENCY_MISMATCH');
    expect((await refund('0.00', randomUUID())).body.error.code).toBe('AMOUNT_NOT_POSITIVE');
    expect((await refund('-5.00', randomUUID())).status).toBe(422);

    const key = randomUUID();
    const first = await refund('100.00', key);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      status: 'received',
      unapplied: cny('200.00'),
      refunded: cny('100.00'),
    });
    const replay = await refund('100.00', key);
    expect(replay.body).toMatchObject({ unapplied: cny('200.00'), refunded: cny('100.00') });
    expect((await refund('150.00', key)).status).toBe(409);

    const rest = await refund('200.00', randomUUID());
    expect(rest.body).toMatchObject({ status: 'refunded', unapplied: cny('0.00'), refunded: cny('300.00') });
    expect((await refund('0.01', randomUUID())).body.error.code).toBe('REFUND_EXCEEDS_CREDIT');
    const { rows } = await h.db.query<{ n: string; total: string }>(
      `SELECT count(*) AS n, sum(amount_minor)::text AS total FROM payment_refund WHERE payment_id = $1`,
      [paid.body.id],
    );
    expect(rows[0]).toEqual({ n: '2', total: '30000' });
    const events = await waitFor('refund-issued published', () => {
      const found = eventsOf(Topic.RefundIssued, paid.body.id);
      return found.length === 2 ? found : undefined;
    });
    expect(events.map((e) => e.amount?.amount).sort()).toEqual(['100.00', '200.00']);
  });

  it('lists payments newest first with filters and a cursor, and names a bad query parameter', async () => {
    const customerId = await newCustomer('Listing Test Co');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(
        'POST',
        '/api/v1/payments',
        {
          customerId,
          amount: cny(`${i + 1}.00`),
          receivedAt: '2026-01-05T10:00:00Z',
          method: 'cash',
          reference: '',
        },
        { 'idempotency-key': randomUUID() },
      );
      ids.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `customerId=${customerId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await call('GET', `/api/v1/payments?${query}`)).body as unknown as PaymentPage;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((p) => p.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual([...ids].reverse());

    for (const [query, field] of [
      ['status=paid', 'status'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['cursor=nonsense', 'cursor'],
      ['customerId=%00', 'customerId'],
    ] as const) {
      const res = await call('GET', `/api/v1/payments?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error.details?.[0]?.field).toBe(field);
    }
  });
});
