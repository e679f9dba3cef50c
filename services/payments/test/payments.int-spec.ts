import { randomUUID } from 'node:crypto';
import {
  AllocationRejectionReason,
  AllocationRule,
  InvoiceStatus,
  PaymentMethod,
  Topic,
  type EncodedRecord,
  type EventInitOf,
  type TopicName,
} from '@duemap/events';
import { collectMessages, identityHeaders, OUTBOX_WRITES_SQL, waitFor } from '@duemap/testing';
import type { ErrorBody } from '@duemap/http';
import type { PaymentView } from '../src/payments/payment.view';
import {
  cny,
  customerUpserted,
  invoiceChanged,
  invoiceIssued,
  publishedPayments,
  startPaymentsHarness,
  ts,
  type PaymentReceivedEvent,
  type PaymentsHarness,
  type SeedInvoice,
} from './payments-harness';

/** A payment or an error body, whichever the status says it is. */
type Body = PaymentView & ErrorBody;

interface Answer {
  status: number;
  body: Body;
  replayed: string | null;
}

describe('payments service', () => {
  let h: PaymentsHarness;

  beforeAll(async () => {
    h = await startPaymentsHarness();
  });

  afterAll(async () => {
    await h?.close();
  });

  async function post(body: unknown, key: string | null = randomUUID(), raw = false): Promise<Answer> {
    const headers: Record<string, string> = {
      ...(await identityHeaders()),
      'content-type': 'application/json',
    };
    if (key !== null) headers['idempotency-key'] = key;
    const res = await fetch(`${h.app.url}/api/v1/payments`, {
      method: 'POST',
      headers,
      body: raw ? (body as string) : JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as Body,
      replayed: res.headers.get('idempotent-replayed'),
    };
  }

  async function get(id: string): Promise<Answer> {
    const res = await fetch(`${h.app.url}/api/v1/payments/${id}`, { headers: await identityHeaders() });
    return { status: res.status, body: (await res.json()) as Body, replayed: null };
  }

  async function count(sql: string, params: unknown[] = []): Promise<number> {
    const { rows } = await h.db.query<{ n: string }>(sql, params);
    return Number(rows[0]?.n);
  }

  // One connection answers one query at a time: ask in turn.
  const stored = async (): Promise<[number, number, number]> => [
    await count('SELECT count(*) AS n FROM payment'),
    await count('SELECT count(*) AS n FROM payment_allocation'),
    await count(OUTBOX_WRITES_SQL),
  ];

  // The relay deletes the outbox rows it publishes: a customer's events are counted on the topic.
  async function eventsOf(customers: string[]): Promise<PaymentReceivedEvent[]> {
    const events = await publishedPayments(h.client, await count('SELECT count(*) AS n FROM payment'));
    return events.filter((e) => customers.includes(e.customerId));
  }

  async function newCustomer(name = 'ACME'): Promise<string> {
    const customerId = randomUUID();
    await h.handled(await h.publisher.publish(Topic.CustomerUpserted, customerUpserted(customerId, name)));
    return customerId;
  }

  async function newInvoice(seed: Parameters<typeof invoiceIssued>[0]): Promise<string> {
    const event = invoiceIssued(seed);
    await h.handled(await h.publisher.publish(Topic.InvoiceIssued, event));
    return event.invoiceId;
  }

  const payment = (customerId: string, amount: string, extra: Record<string, unknown> = {}) => ({
    customerId,
    amount: cny(amount),
    receivedAt: '2025-03-31T16:00:00+08:00',
    method: 'bank_transfer',
    reference: 'transfer 42',
    ...extra,
  });

  it('serves /health', async () => {
    expect((await fetch(`${h.app.url}/health`)).status).toBe(200);
  });

  it('applies a payment oldest due first, stores it with its event, and publishes payment-received', async () => {
    const customerId = await newCustomer();
    const a = await newInvoice({ customerId, number: 'INV-A', total: cny('100.00'), dueDate: '2025-02-01' });
    const b = await newInvoice({ customerId, number: 'INV-B', total: cny('200.00'), dueDate: '2025-01-15' });
    const c = await newInvoice({ customerId, number: 'INV-C', total: cny('300.00'), dueDate: '2025-03-01' });
    await newInvoice({
      customerId,
      number: 'INV-USD',
      total: { amount: '50.00', currency: 'USD' },
      dueDate: '2024-12-01',
    });
    // Voided, and older than all the others: must be skipped.
    const voided = await newInvoice({
      customerId,
      number: 'INV-VOID',
      total: cny('10.00'),
      dueDate: '2024-11-01',
    });
    await h.handled(
      await h.publisher.publish(Topic.InvoiceVoided, {
        customerId,
        occurredAt: ts('2025-02-10T00:00:00Z'),
        invoiceId: voided,
        number: 'INV-VOID',
        total: cny('10.00'),
        voidedOpenAmount: cny('10.00'),
      }),
    );

    const res = await post(payment(customerId, '450.00'));
    expect(res.status).toBe(201);
    expect(res.replayed).toBeNull();
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      customerId,
      amount: cny('450.00'),
      receivedAt: '2025-03-31T08:00:00.000Z',
      method: 'bank_transfer',
      reference: 'transfer 42',
      allocations: [
        { invoiceId: b, invoiceNumber: 'INV-B', applied: cny('200.00'), rule: 'oldest_due_first' },
        { invoiceId: a, invoiceNumber: 'INV-A', applied: cny('100.00'), rule: 'oldest_due_first' },
        { invoiceId: c, invoiceNumber: 'INV-C', applied: cny('150.00'), rule: 'oldest_due_first' },
      ],
      unapplied: cny('0.00'),
      refunded: cny('0.00'),
      source: 'api',
      status: 'applied',
    });
    expect((await get(res.body.id)).body).toEqual(res.body);

    const { rows } = await h.db.query(
      'SELECT amount_minor::text, currency, idempotency_key IS NOT NULL AS keyed FROM payment WHERE id = $1',
      [res.body.id],
    );
    expect(rows).toEqual([{ amount_minor: '45000', currency: 'CNY', keyed: true }]);
    expect(
      await count('SELECT count(*) AS n FROM payment_allocation WHERE payment_id = $1', [res.body.id]),
    ).toBe(3);
    const events = await eventsOf([customerId]);
    expect(events).toHaveLength(1);
    const event = events.find((e) => e.paymentId === res.body.id);
    expect(event).toMatchObject({
      customerId,
      paymentId: res.body.id,
      amount: { amount: '450.00', currency: 'CNY' },
      unapplied: { amount: '0.00', currency: 'CNY' },
      method: PaymentMethod.BANK_TRANSFER,
      reference: 'transfer 42',
      source: { sourceSystem: 'api' },
    });
    expect(event!.allocations.map((x) => [x.invoiceId, x.applied?.amount, x.rule, x.invoiceNumber])).toEqual([
      [b, '200.00', AllocationRule.OLDEST_DUE_FIRST, 'INV-B'],
      [a, '100.00', AllocationRule.OLDEST_DUE_FIRST, 'INV-A'],
      [c, '150.00', AllocationRule.OLDEST_DUE_FIRST, 'INV-C'],
    ]);
    expect(new Date(Number(event!.receivedAt!.seconds) * 1000).toISOString()).toBe(
      '2025-03-31T08:00:00.000Z',
    );
  });

  it('applies explicit allocations as given, and counts them against the invoice at once', async () => {
    const customerId = await newCustomer();
    const first = await newInvoice({
      customerId,
      number: 'E-1',
      total: cny('100.00'),
      dueDate: '2025-01-01',
    });
    const second = await newInvoice({
      customerId,
      number: 'E-2',
      total: cny('100.00'),
      dueDate: '2025-02-01',
    });

    const explicit = await post(
      payment(customerId, '100.00', { allocations: [{ invoiceId: second, amount: cny('60.00') }] }),
    );
    expect(explicit.status).toBe(201);
    expect(explicit.body.allocations).toEqual([
      { invoiceId: second, invoiceNumber: 'E-2', applied: cny('60.00'), rule: 'explicit' },
    ]);
    expect(explicit.body.unapplied).toEqual(cny('40.00'));

    // Invoicing has not answered anything yet, but payments knows E-2 has only 40.00 open.
    const more = await post(
      payment(customerId, '41.00', { allocations: [{ invoiceId: second, amount: cny('40.01') }] }),
    );
    expect(more.status).toBe(422);
    expect(more.body.error.code).toBe('ALLOCATION_EXCEEDS_OPEN_AMOUNT');

    const auto = await post(payment(customerId, '150.00'));
    expect(auto.status).toBe(201);
    expect(auto.body.allocations).toEqual([
      { invoiceId: first, invoiceNumber: 'E-1', applied: cny('100.00'), rule: 'oldest_due_first' },
      { invoiceId: second, invoiceNumber: 'E-2', applied: cny('40.00'), rule: 'oldest_due_first' },
    ]);
    expect(auto.body.unapplied).toEqual(cny('10.00'));
  });

  it('answers a repeated request with the same payment and no second event; refuses the key for another body', async () => {
    const customerId = await newCustomer();
    await newInvoice({ customerId, number: 'I-1', total: cny('500.00'), dueDate: '2025-01-01' });
    const key = `retry-${randomUUID()}`;
    const before = await stored();

    const first = await post(payment(customerId, '120.00'), key);
    expect(first.status).toBe(201);
    const again = await post(payment(customerId, '120.00'), key);
    expect(again.status).toBe(201);
    expect(again.replayed).toBe('true');
    expect(again.body).toEqual(first.body);
    // The same request spelled differently is the same request.
    const respelled = await post(
      { ...payment(customerId, '120'), receivedAt: '2025-03-31T08:00:00Z', allocations: [] },
      key,
    );
    expect(respelled.replayed).toBe('true');
    expect(respelled.body.id).toBe(first.body.id);

    const reused = await post(payment(customerId, '120.01'), key);
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const after = await stored();
    expect(after[0] - before[0]).toBe(1);
    expect(after[2] - before[2]).toBe(1);

    const total = after[0];
    const events = await publishedPayments(h.client, total);
    expect(events.filter((e) => e.paymentId === first.body.id)).toHaveLength(1);
    // Nothing beyond one event per payment reaches the broker.
    await expect(collectMessages(h.client, Topic.PaymentReceived, total + 1, 3000)).rejects.toThrow(
      `got ${total}`,
    );
  });

  it('makes one payment of concurrent identical requests', async () => {
    const customerId = await newCustomer();
    await newInvoice({ customerId, number: 'C-1', total: cny('1000.00'), dueDate: '2025-01-01' });
    const key = `race-${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => post(payment(customerId, '99.99'), key)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.filter((a) => a.replayed === null)).toHaveLength(1);
    expect(await count('SELECT count(*) AS n FROM payment WHERE idempotency_key = $1', [key])).toBe(1);
    expect(await eventsOf([customerId])).toHaveLength(1);
  });

  it('serialises payments of one customer so that no open amount is applied twice', async () => {
    const customerId = await newCustomer();
    await newInvoice({ customerId, number: 'S-1', total: cny('100.00'), dueDate: '2025-01-01' });
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(payment(customerId, '30.00'))));
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill(201));
    const applied = answers.flatMap((a) =>
      a.body.allocations.map((x: { applied: { amount: string } }) => x.applied.amount),
    );
    expect(applied.reduce((sum: number, x: string) => sum + Math.round(Number(x) * 100), 0)).toBe(10_000);
  });

  it('stores concurrent payments of many customers together, each as if alone, in a few statements', async () => {
    const customers: string[] = [];
    for (let i = 0; i < 20; i++) {
      const customerId = await newCustomer(`Group ${i}`);
      await newInvoice({ customerId, number: `G-${i}`, total: cny('100.00'), dueDate: '2025-01-01' });
      customers.push(customerId);
    }
    const before = await statementsSoFar();
    const first = await Promise.all(customers.map((c) => post(payment(c, '60.00'))));
    const second = await Promise.all(customers.map((c) => post(payment(c, '60.00'))));
    const statements = (await statementsSoFar()) - before;
    for (const answers of [first, second]) expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    // Each customer's two payments were decided one after the other: 60 applied, then 40 + 20 unapplied.
    for (const [i, customerId] of customers.entries()) {
      expect((first[i] as Answer).body).toMatchObject({
        customerId,
        allocations: [{ applied: { amount: '60.00' } }],
        unapplied: { amount: '0.00' },
      });
      expect((second[i] as Answer).body).toMatchObject({
        customerId,
        allocations: [{ applied: { amount: '40.00' } }],
        unapplied: { amount: '20.00' },
      });
    }
    expect(await eventsOf(customers)).toHaveLength(40);
    // One by one, 40 POSTs cost 160 statements (BEGIN, lock and read, write, COMMIT each).
    expect(statements).toBeLessThan(80);
  });

  describe('refuses bad input and stores nothing', () => {
    let customerId: string;
    let otherCustomer: string;
    let open: string;
    let usd: string;
    let voided: string;
    let paid: string;

    beforeAll(async () => {
      customerId = await newCustomer();
      otherCustomer = await newCustomer('Other');
      open = await newInvoice({ customerId, number: 'B-OPEN', total: cny('100.00'), dueDate: '2025-01-01' });
      usd = await newInvoice({
        customerId,
        number: 'B-USD',
        total: { amount: '100.00', currency: 'USD' },
        dueDate: '2025-01-01',
      });
      voided = await newInvoice({
        customerId,
        number: 'B-VOID',
        total: cny('100.00'),
        dueDate: '2025-01-01',
      });
      paid = await newInvoice({ customerId, number: 'B-PAID', total: cny('100.00'), dueDate: '2025-01-01' });
      await h.handled(
        await h.publisher.publish(Topic.InvoiceVoided, {
          customerId,
          occurredAt: ts('2025-03-01T00:00:00Z'),
          invoiceId: voided,
          number: 'B-VOID',
          total: cny('100.00'),
        }),
        await h.publisher.publish(Topic.InvoicePaid, {
          customerId,
          occurredAt: ts('2025-03-01T00:00:00Z'),
          invoiceId: paid,
          number: 'B-PAID',
          total: cny('100.00'),
        }),
      );
      // Known only to the (stub) customers service: a fallback that must not be kept on failure.
      h.stub.customers.set('fresh-customer', { id: 'fresh-customer', name: 'Fresh' });
    });

    const alloc =
      (invoiceId: () => string, amount: string, currency = 'CNY') =>
      () => ({
        invoiceId: invoiceId(),
        amount: { amount, currency },
      });

    const cases: [
      string,
      () => { body: unknown; key?: string | null },
      number,
      string,
      string | undefined,
    ][] = [
      [
        'no Idempotency-Key',
        () => ({ body: payment(customerId, '1.00'), key: null }),
        400,
        'VALIDATION_FAILED',
        'Idempotency-Key',
      ],
      [
        'an empty Idempotency-Key',
        () => ({ body: payment(customerId, '1.00'), key: '' }),
        400,
        'VALIDATION_FAILED',
        'Idempotency-Key',
      ],
      [
        'a 201-character Idempotency-Key',
        () => ({ body: payment(customerId, '1.00'), key: 'k'.repeat(201) }),
        400,
        'VALIDATION_FAILED',
        'Idempotency-Key',
      ],
      ['a zero amount', () => ({ body: payment(customerId, '0.00') }), 422, 'AMOUNT_NOT_POSITIVE', 'amount'],
      [
        'a negative amount',
        () => ({ body: payment(customerId, '-10.00') }),
        422,
        'NEGATIVE_NOT_ALLOWED',
        'amount',
      ],
      [
        'too many decimals',
        () => ({ body: payment(customerId, '10.001') }),
        422,
        'TOO_MANY_DECIMALS',
        'amount',
      ],
      ['an exponent', () => ({ body: payment(customerId, '1e3') }), 422, 'INVALID_AMOUNT', 'amount'],
      [
        'an amount as a JSON number',
        () => ({ body: { ...payment(customerId, '1'), amount: { amount: 10, currency: 'CNY' } } }),
        400,
        'VALIDATION_FAILED',
        'amount.amount',
      ],
      [
        'an unknown currency',
        () => ({ body: { ...payment(customerId, '1'), amount: { amount: '10.00', currency: 'ABC' } } }),
        422,
        'UNKNOWN_CURRENCY',
        'amount.currency',
      ],
      [
        'an unknown method',
        () => ({ body: payment(customerId, '1.00', { method: 'barter' }) }),
        400,
        'VALIDATION_FAILED',
        'method',
      ],
      [
        'a receivedAt that is not RFC 3339',
        () => ({ body: payment(customerId, '1.00', { receivedAt: '31/03/2025' }) }),
        400,
        'VALIDATION_FAILED',
        'receivedAt',
      ],
      [
        'no reference',
        () => ({ body: { ...payment(customerId, '1.00'), reference: undefined } }),
        400,
        'VALIDATION_FAILED',
        'reference',
      ],
      [
        'an unknown field',
        () => ({ body: payment(customerId, '1.00', { note: 'x' }) }),
        400,
        'VALIDATION_FAILED',
        'note',
      ],
      [
        'an unknown customer',
        () => ({ body: payment(randomUUID(), '1.00') }),
        404,
        'CUSTOMER_NOT_FOUND',
        'customerId',
      ],
      [
        'an unknown invoice',
        () => ({
          body: payment(customerId, '10.00', {
            allocations: [{ invoiceId: randomUUID(), amount: cny('1.00') }],
          }),
        }),
        404,
        'INVOICE_NOT_FOUND',
        'allocations[0].invoiceId',
      ],
      [
        'an unknown invoice of a customer only the customers service knows',
        () => ({
          body: payment('fresh-customer', '10.00', {
            allocations: [{ invoiceId: randomUUID(), amount: cny('1.00') }],
          }),
        }),
        404,
        'INVOICE_NOT_FOUND',
        'allocations[0].invoiceId',
      ],
      [
        'an invoice of another customer',
        () => ({ body: payment(otherCustomer, '10.00', { allocations: [alloc(() => open, '1.00')()] }) }),
        422,
        'INVOICE_OF_ANOTHER_CUSTOMER',
        'allocations[0].invoiceId',
      ],
      [
        'a void invoice',
        () => ({ body: payment(customerId, '10.00', { allocations: [alloc(() => voided, '1.00')()] }) }),
        422,
        'INVOICE_VOIDED',
        'allocations[0].invoiceId',
      ],
      [
        'a paid invoice',
        () => ({ body: payment(customerId, '10.00', { allocations: [alloc(() => paid, '1.00')()] }) }),
        422,
        'INVOICE_ALREADY_PAID',
        'allocations[0].invoiceId',
      ],
      [
        'an allocation in another currency than the payment',
        () => ({ body: payment(customerId, '10.00', { allocations: [alloc(() => usd, '1.00', 'USD')()] }) }),
        422,
        'CURRENCY_MISMATCH',
        'allocations[0].amount.currency',
      ],
      [
        'an allocation in another currency than the invoice',
        () => ({ body: payment(customerId, '10.00', { allocations: [alloc(() => usd, '1.00')()] }) }),
        422,
        'CURRENCY_MISMATCH',
        'allocations[0].amount.currency',
      ],
      [
        'an allocation over the open amount',
        () => ({ body: payment(customerId, '200.00', { allocations: [alloc(() => open, '100.01')()] }) }),
        422,
        'ALLOCATION_EXCEEDS_OPEN_AMOUNT',
        'allocations[0].amount',
      ],
      [
        'allocations over the payment',
        () => ({ body: payment(customerId, '10.00', { allocations: [alloc(() => open, '10.01')()] }) }),
        422,
        'ALLOCATIONS_EXCEED_PAYMENT',
        'allocations',
      ],
      [
        'the same invoice twice',
        () => ({
          body: payment(customerId, '10.00', {
            allocations: [alloc(() => open, '1.00')(), alloc(() => open, '2.00')()],
          }),
        }),
        422,
        'DUPLICATE_ALLOCATION',
        'allocations[1].invoiceId',
      ],
      [
        'a zero allocation',
        () => ({ body: payment(customerId, '10.00', { allocations: [alloc(() => open, '0.00')()] }) }),
        422,
        'AMOUNT_NOT_POSITIVE',
        'allocations[0].amount',
      ],
      [
        'an allocation with an unknown currency',
        () => ({ body: payment(customerId, '10.00', { allocations: [alloc(() => open, '1.00', 'QQQ')()] }) }),
        422,
        'UNKNOWN_CURRENCY',
        'allocations[0].amount.currency',
      ],
    ];

    it.each(cases)('%s', async (_name, input, status, code, field) => {
      const before = await stored();
      const { body, key } = input();
      const res = await post(body, key === undefined ? randomUUID() : key);
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      if (field !== undefined) expect(res.body.error.details.map((d) => d.field)).toContain(field);
      expect(await stored()).toEqual(before);
    });

    it('does not keep a customer fetched for a request that failed', async () => {
      expect(
        await count("SELECT count(*) AS n FROM customer_view WHERE customer_id = 'fresh-customer'"),
      ).toBe(0);
    });

    it('answers 503 when the customers service cannot be asked, and stores nothing', async () => {
      const before = await stored();
      h.stub.down = true;
      try {
        const res = await post(payment(randomUUID(), '1.00'));
        expect(res.status).toBe(503);
        expect(res.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
      } finally {
        h.stub.down = false;
      }
      expect(await stored()).toEqual(before);
    });

    it('answers a malformed JSON body with 400', async () => {
      const res = await post('{"customerId":', randomUUID(), true);
      expect(res.status).toBe(400);
    });
  });

  it('falls back to the owners over HTTP for a customer and an invoice not seen as events yet', async () => {
    const customerId = randomUUID();
    const invoiceId = randomUUID();
    h.stub.customers.set(customerId, { id: customerId, name: 'Brand new' });
    h.stub.invoices.set(invoiceId, {
      id: invoiceId,
      customerId,
      number: 'NEW-1',
      issueDate: '2025-03-01',
      dueDate: '2025-03-31',
      total: cny('800.00'),
      openAmount: cny('800.00'),
      status: 'open',
    });
    const res = await post(
      payment(customerId, '500.00', { allocations: [{ invoiceId, amount: cny('500.00') }] }),
    );
    expect(res.status).toBe(201);
    expect(res.body.allocations).toEqual([
      { invoiceId, invoiceNumber: 'NEW-1', applied: cny('500.00'), rule: 'explicit' },
    ]);
    expect(h.stub.requests).toEqual(
      expect.arrayContaining([`/api/v1/customers/${customerId}`, `/api/v1/invoices/${invoiceId}`]),
    );

    // The fetched rows are kept, and give way to the events when they arrive.
    const { rows } = await h.db.query('SELECT last_occurred_at FROM invoice_view WHERE invoice_id = $1', [
      invoiceId,
    ]);
    expect(rows).toEqual([{ last_occurred_at: null }]);
    await h.handled(
      await h.publisher.publish(
        Topic.InvoiceChanged,
        invoiceChanged(
          {
            invoiceId,
            customerId,
            number: 'NEW-1',
            total: cny('900.00'),
            open: cny('400.00'),
            dueDate: '2025-03-31',
          },
          InvoiceStatus.PARTIALLY_PAID,
        ),
      ),
    );
    const auto = await post(payment(customerId, '1000.00'));
    expect(auto.body.allocations).toEqual([
      { invoiceId, invoiceNumber: 'NEW-1', applied: cny('400.00'), rule: 'oldest_due_first' },
    ]);
  });

  it('keeps the newest invoice state when events of different topics arrive out of order', async () => {
    const customerId = await newCustomer();
    const invoiceId = randomUUID();
    // invoice-voided (newer) is handled before invoice-changed (older, says open).
    await h.handled(
      await h.publisher.publish(Topic.InvoiceVoided, {
        customerId,
        occurredAt: ts('2025-03-02T00:00:00Z'),
        invoiceId,
        number: 'OOO-1',
        total: cny('100.00'),
      }),
    );
    await h.handled(
      await h.publisher.publish(
        Topic.InvoiceChanged,
        invoiceChanged(
          {
            invoiceId,
            customerId,
            number: 'OOO-1',
            total: cny('100.00'),
            dueDate: '2025-03-31',
            occurredAt: '2025-03-01T00:00:00Z',
          },
          InvoiceStatus.OPEN,
        ),
      ),
    );
    const res = await post(
      payment(customerId, '10.00', { allocations: [{ invoiceId, amount: cny('10.00') }] }),
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('INVOICE_VOIDED');
  });

  it('orders an invoice and a customer by version, not by the clocks that stamped their events', async () => {
    const customerId = randomUUID();
    const upsert = (name: string, iso: string, customerVersion: bigint) =>
      h.publisher.publish(Topic.CustomerUpserted, {
        ...customerUpserted(customerId, name, iso),
        customerVersion,
      });
    await h.handled(await upsert('Old name', '2025-03-01T12:00:00Z', 4n));
    // Renamed on a customers instance whose clock is a day behind, then a late older version.
    await h.handled(await upsert('New name', '2025-02-28T12:00:00Z', 5n));
    await h.handled(await upsert('Older name', '2025-03-02T12:00:00Z', 3n));
    const customer = await h.db.query<{ name: string }>(
      'SELECT name FROM customer_view WHERE customer_id = $1',
      [customerId],
    );
    expect(customer.rows[0]?.name).toBe('New name');

    const invoiceId = randomUUID();
    const state = (number: string, iso: string, invoiceVersion: bigint) => ({
      ...invoiceChanged(
        { invoiceId, customerId, number, total: cny('100.00'), dueDate: '2025-03-31', occurredAt: iso },
        InvoiceStatus.OPEN,
      ),
      invoiceVersion,
    });
    await h.handled(await h.publisher.publish(Topic.InvoiceChanged, state('V1', '2025-03-01T12:00:00Z', 1n)));
    // Voided on an invoicing instance whose clock is a day behind: it still voids.
    await h.handled(
      await h.publisher.publish(Topic.InvoiceVoided, {
        customerId,
        occurredAt: ts('2025-02-28T12:00:00Z'),
        invoiceId,
        number: 'V2',
        total: cny('100.00'),
        invoiceVersion: 2n,
      }),
    );
    const res = await post(
      payment(customerId, '10.00', { allocations: [{ invoiceId, amount: cny('10.00') }] }),
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('INVOICE_VOIDED');
    // Version 1 again, stamped by a clock ahead: it changes nothing (not even the number).
    await h.handled(
      await h.publisher.publish(Topic.InvoiceChanged, state('V1 late', '2025-03-03T12:00:00Z', 1n)),
    );
    const invoice = await h.db.query<{ number: string; status: string }>(
      'SELECT number, status FROM invoice_view WHERE invoice_id = $1',
      [invoiceId],
    );
    expect(invoice.rows[0]).toEqual({ number: 'V2', status: 'void' });
  });

  it('moves a rejected allocation back to unapplied and reopens the invoice for later payments', async () => {
    const customerId = await newCustomer();
    const invoiceId = await newInvoice({
      customerId,
      number: 'R-1',
      total: cny('100.00'),
      dueDate: '2025-01-01',
    });
    const first = await post(payment(customerId, '100.00'));
    expect(first.body.unapplied).toEqual(cny('0.00'));

    await h.handled(
      await h.publisher.publish(Topic.AllocationRejected, {
        customerId,
        occurredAt: ts('2025-04-01T00:00:00Z'),
        paymentId: first.body.id,
        invoiceId,
        requested: cny('100.00'),
        rejected: cny('40.00'),
        reason: AllocationRejectionReason.EXCEEDS_OPEN_AMOUNT,
        detail: 'only 60.00 was open',
      }),
    );
    const after = await get(first.body.id);
    expect(after.body.allocations).toEqual([
      {
        invoiceId,
        invoiceNumber: 'R-1',
        applied: cny('60.00'),
        rule: 'oldest_due_first',
        rejected: cny('40.00'),
        rejectionReason: 'exceeds_open_amount',
      },
    ]);
    expect(after.body.unapplied).toEqual(cny('40.00'));

    const second = await post(payment(customerId, '50.00'));
    expect(second.body.allocations).toEqual([
      { invoiceId, invoiceNumber: 'R-1', applied: cny('40.00'), rule: 'oldest_due_first' },
    ]);
  });

  it('dead-letters an allocation-rejected for a payment it never made', async () => {
    const customerId = await newCustomer();
    const paymentId = randomUUID();
    await h.publisher.publish(Topic.AllocationRejected, {
      customerId,
      occurredAt: ts('2025-04-01T00:00:00Z'),
      paymentId,
      invoiceId: randomUUID(),
      requested: cny('1.00'),
      rejected: cny('1.00'),
      reason: AllocationRejectionReason.INVOICE_NOT_FOUND,
    });
    const dead = await waitFor('the rejection on the DLQ', async () => {
      const messages = await collectMessages(h.client, `${Topic.AllocationRejected}.dlq`, 1, 15_000);
      return messages.find((m) => m.message.key?.toString() === customerId);
    });
    expect(dead.header('dlq-error')).toContain(paymentId);
  });

  /** Sends the records in one produce request, so the consumer finds them all at once. */
  async function publishAtOnce(records: EncodedRecord<TopicName>[]): Promise<string[]> {
    await h.publisher.publishAll(records);
    return records.map((r) => r.headers['event-id'] as string);
  }

  /** Every SQL statement the service has sent so far (duemap_db_statements_total, all kinds). */
  async function statementsSoFar(): Promise<number> {
    const text = await (await fetch(`${h.app.url}/metrics`)).text();
    return text
      .split('\n')
      .filter((line) => line.startsWith('duemap_db_statements_total{'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }

  function encode<T extends TopicName>(topic: T, init: EventInitOf<T>): EncodedRecord<TopicName> {
    return h.publisher.encode(topic, init, { eventId: randomUUID() });
  }

  it('applies hundreds of events delivered at once as one by one would, in a few statements', async () => {
    const customers = Array.from({ length: 40 }, () => randomUUID());
    const records: EncodedRecord<TopicName>[] = [];
    const invoices = customers.map((customerId) => {
      const [a, b, c] = ['A', 'B', 'C'].map((n, i) => ({
        invoiceId: randomUUID(),
        customerId,
        number: `BATCH-${n}`,
        total: cny(`${(i + 1) * 100}.00`),
        dueDate: `2025-0${i + 1}-15`,
        occurredAt: '2025-01-02T00:00:00Z',
      })) as [SeedInvoice, SeedInvoice, SeedInvoice];
      // Two upserts of the customer, in order: the later one wins.
      records.push(
        encode(Topic.CustomerUpserted, customerUpserted(customerId, 'Old', '2025-01-01T00:00:00Z')),
      );
      records.push(
        encode(Topic.CustomerUpserted, customerUpserted(customerId, 'New', '2025-01-05T00:00:00Z')),
      );
      for (const seed of [a, b, c]) records.push(encode(Topic.InvoiceIssued, invoiceIssued(seed)));
      // Two changes of A on one topic, in order: the second sees (and overrides) the first.
      for (const [open, day] of [
        ['60.00', '01'],
        ['30.00', '02'],
      ] as const) {
        records.push(
          encode(
            Topic.InvoiceChanged,
            invoiceChanged(
              { ...a, open: cny(open), occurredAt: `2025-02-${day}T00:00:00Z` },
              InvoiceStatus.PARTIALLY_PAID,
            ),
          ),
        );
      }
      records.push(
        encode(Topic.InvoicePaid, {
          customerId,
          occurredAt: ts('2025-02-03T00:00:00Z'),
          invoiceId: b.invoiceId,
          number: 'BATCH-B',
          total: cny('200.00'),
        }),
      );
      records.push(
        encode(Topic.InvoiceVoided, {
          customerId,
          occurredAt: ts('2025-02-03T00:00:00Z'),
          invoiceId: c.invoiceId,
          number: 'BATCH-C',
          total: cny('300.00'),
        }),
      );
      return { customerId, a: a.invoiceId!, b: b.invoiceId!, c: c.invoiceId! };
    });
    // One customer whose upserts arrive newest first: the older one must change nothing.
    const reordered = randomUUID();
    records.push(
      encode(Topic.CustomerUpserted, customerUpserted(reordered, 'Newest', '2025-01-09T00:00:00Z')),
    );
    records.push(
      encode(Topic.CustomerUpserted, customerUpserted(reordered, 'Stale', '2025-01-08T00:00:00Z')),
    );

    const outboxBefore = await count(OUTBOX_WRITES_SQL);
    const statementsBefore = await statementsSoFar();
    await h.handled(...(await publishAtOnce(records)));
    const statements = (await statementsSoFar()) - statementsBefore;

    const { rows: named } = await h.db.query<{ customer_id: string; name: string }>(
      'SELECT customer_id, name FROM customer_view WHERE customer_id = ANY($1::text[])',
      [[...customers, reordered]],
    );
    expect(new Map(named.map((r) => [r.customer_id, r.name]))).toEqual(
      new Map([...customers.map((id) => [id, 'New'] as const), [reordered, 'Newest'] as const]),
    );
    const { rows } = await h.db.query<{
      invoice_id: string;
      status: string;
      reported_open_minor: string;
      pre_settled_minor: string;
      last_occurred_at: Date;
    }>(
      `SELECT invoice_id, status, reported_open_minor::text, pre_settled_minor::text, last_occurred_at
         FROM invoice_view WHERE invoice_id = ANY($1::text[])`,
      [invoices.flatMap((i) => [i.a, i.b, i.c])],
    );
    const byId = new Map(rows.map((r) => [r.invoice_id, r]));
    expect(byId.size).toBe(invoices.length * 3);
    for (const { a, b, c } of invoices) {
      expect(byId.get(a)).toMatchObject({
        status: 'partially_paid',
        reported_open_minor: '3000',
        pre_settled_minor: '0',
        last_occurred_at: new Date('2025-02-02T00:00:00Z'),
      });
      expect(byId.get(b)).toMatchObject({ status: 'paid', reported_open_minor: '0' });
      expect(byId.get(c)).toMatchObject({ status: 'void', reported_open_minor: '0' });
    }
    // The projections emit nothing.
    expect(await count(OUTBOX_WRITES_SQL)).toBe(outboxBefore);
    // One by one, each invoice event read its invoice and each customer event wrote its row: at
    // least one statement per event. Batched, a transaction costs a handful whatever it carries.
    expect(statements).toBeLessThan(records.length / 4);

    // A payment sees the projected state: A is open (payments' own view), B paid, C void.
    const first = invoices[0]!;
    const res = await post(payment(first.customerId, '150.00'));
    expect(res.body.allocations).toEqual([
      { invoiceId: first.a, invoiceNumber: 'BATCH-A', applied: cny('100.00'), rule: 'oldest_due_first' },
    ]);
    expect(res.body.unapplied).toEqual(cny('50.00'));
  });

  it('dead-letters an invoice event that cannot be applied and applies the rest of its batch', async () => {
    const customerId = await newCustomer();
    const seeds: SeedInvoice[] = Array.from({ length: 20 }, (_, i) => ({
      invoiceId: randomUUID(),
      customerId,
      number: `P-${i}`,
      total: cny('10.00'),
      dueDate: '2025-01-01',
    }));
    const good = seeds.map(invoiceIssued);
    const poison = invoiceChanged(
      {
        customerId,
        number: 'P-POISON',
        total: cny('10.00'),
        open: { amount: '10.00', currency: 'USD' },
        dueDate: '2025-01-01',
      },
      InvoiceStatus.OPEN,
    );
    const after = invoiceChanged(
      { ...seeds[0]!, open: cny('4.00'), occurredAt: '2025-02-01T00:00:00Z' },
      InvoiceStatus.PARTIALLY_PAID,
    );
    const ids = await publishAtOnce([
      ...good.map((e) => encode(Topic.InvoiceIssued, e)),
      encode(Topic.InvoiceChanged, poison),
      encode(Topic.InvoiceChanged, after),
    ]);
    // A dead-lettered event leaves no inbox row: wait for the others.
    await h.handled(...ids.filter((_, i) => i !== good.length));
    const dead = await waitFor('the poison on the DLQ', async () => {
      const messages = await collectMessages(h.client, `${Topic.InvoiceChanged}.dlq`, 1, 15_000);
      return messages.find((m) => m.message.key?.toString() === customerId);
    });
    expect(dead.header('dlq-error')).toContain('open_amount is in USD');
    expect(
      await count('SELECT count(*) AS n FROM invoice_view WHERE invoice_id = ANY($1::text[])', [
        good.map((e) => e.invoiceId),
      ]),
    ).toBe(good.length);
    expect(
      await count('SELECT count(*) AS n FROM invoice_view WHERE invoice_id = $1', [poison.invoiceId]),
    ).toBe(0);
    const { rows } = await h.db.query(
      'SELECT status, reported_open_minor::text FROM invoice_view WHERE invoice_id = $1',
      [good[0]!.invoiceId],
    );
    expect(rows).toEqual([{ status: 'partially_paid', reported_open_minor: '400' }]);
  });

  it('answers 404 for an unknown or malformed payment id', async () => {
    for (const id of [randomUUID(), 'not-a-uuid', '%20']) {
      const res = await get(id);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('PAYMENT_NOT_FOUND');
    }
  });
});
