import { randomBytes, randomUUID } from 'node:crypto';
import { ApiClient, eventually, isoDate } from './api-client';
import { startOtlpCollector } from './otlp-collector';
import { startStack, type Stack } from './stack';

describe('one payment, one trace across every service it touches', () => {
  let stack: Stack;
  let collector: Awaited<ReturnType<typeof startOtlpCollector>>;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    stack = await startStack({
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: '200' },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await collector?.close();
  });

  it('links the HTTP request, the outbox, Kafka and every consumer', async () => {
    const api = new ApiClient(stack.gatewayUrl, { token: await stack.token({ roles: ['finance'] }) });
    const erp = `trace-${randomUUID().slice(0, 8)}`;
    const customer = await api.put<{ id: string }>(`/api/v1/customers/${erp}/C-1`, {
      name: 'Trace Co',
      address: { country: 'CN', province: '广东省', city: '深圳市' },
      currency: 'CNY',
    });
    const invoice = await api.put<{ id: string }>(`/api/v1/invoices/${erp}/T-1`, {
      customerId: customer.body.id,
      number: 'T-1',
      issueDate: isoDate(-1),
      dueDate: isoDate(30),
      total: { amount: '100.00', currency: 'CNY' },
    });
    await eventually(
      'reminders scheduled',
      async () => (await api.get<unknown[]>(`/api/v1/reminders?invoiceId=${invoice.body.id}`)).body,
      (r) => Array.isArray(r) && r.length > 0,
    );

    // The caller starts the trace; every span of the payment must carry this id.
    const traceId = randomBytes(16).toString('hex');
    const res = await api.post(
      '/api/v1/payments',
      {
        customerId: customer.body.id,
        amount: { amount: '100.00', currency: 'CNY' },
        receivedAt: new Date().toISOString(),
        method: 'bank_transfer',
        reference: 'T-1',
        allocations: [{ invoiceId: invoice.body.id, amount: { amount: '100.00', currency: 'CNY' } }],
      },
      { 'Idempotency-Key': randomUUID(), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
    );
    expect(res.status).toBe(201);

    const expected = ['gateway', 'payments', 'invoicing', 'customers', 'geocoding', 'notifications'];
    const services = await eventually(
      'spans from every service in the trace',
      () =>
        Promise.resolve(new Set(collector.spans.filter((s) => s.traceId === traceId).map((s) => s.service))),
      (seen) => expected.every((s) => seen.has(s)),
      30_000,
    );
    expect([...services].sort()).toEqual(expect.arrayContaining(expected.sort()));
    const names = collector.spans.filter((s) => s.traceId === traceId).map((s) => `${s.service}: ${s.name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'payments: payments.payment-received.v1 publish',
        'invoicing: payments.payment-received.v1 process',
        'customers: invoicing.invoice-changed.v1 process',
        'geocoding: customers.status-changed.v1 process',
        'notifications: invoicing.invoice-paid.v1 process',
      ]),
    );
  });
});
