import { randomUUID } from 'node:crypto';
import { ApiClient, eventually, isoDate, type ErrorBody, type Money } from './api-client';
import { startStack, type Stack } from './stack';

interface Customer {
  id: string;
  status: 'paid' | 'unpaid' | 'overdue';
  balance: { outstanding: Money; overdue: Money; unappliedCredit: Money };
}
interface Invoice {
  id: string;
  status: string;
  openAmount: Money;
}
interface Payment {
  id: string;
  allocations: { invoiceId: string; applied: Money }[];
  unapplied: Money;
}
interface Reminder {
  id: string;
  status: string;
}
interface MapFeature {
  properties: { customerId: string; status: string; color: string };
  geometry: { coordinates: [number, number] };
}

const cny = (amount: string): Money => ({ amount, currency: 'CNY' });

describe('the headline flow, through the public API only', () => {
  let stack: Stack;
  let api: ApiClient;
  let customerId: string;
  let invoiceA: string;
  let invoiceB: string;
  const erp = `sap-${randomUUID().slice(0, 8)}`;

  const customer = async (): Promise<Customer> =>
    (await api.get<Customer>(`/api/v1/customers/${customerId}`)).body;
  const invoice = async (id: string): Promise<Invoice> =>
    (await api.get<Invoice>(`/api/v1/invoices/${id}`)).body;
  const reminders = async (invoiceId: string): Promise<Reminder[]> =>
    (await api.get<Reminder[]>(`/api/v1/reminders?invoiceId=${invoiceId}`)).body;
  const pin = async (): Promise<MapFeature | undefined> => {
    const res = await api.get<{ features: MapFeature[] }>(`/api/v1/map/customers`);
    return res.body.features.find((f) => f.properties.customerId === customerId);
  };
  const pay = (key: string, body: unknown) =>
    api.post<Payment & ErrorBody>('/api/v1/payments', body, { 'Idempotency-Key': key });

  beforeAll(async () => {
    stack = await startStack({ env: { OVERDUE_SCAN_INTERVAL: '500ms' } });
    api = new ApiClient(stack.gatewayUrl, { token: await stack.token({ roles: ['finance'] }) });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('creates a customer and two invoices; the customer owes both, red on the map', async () => {
    const created = await api.put<Customer>(`/api/v1/customers/${erp}/C-1`, {
      name: '上海明远贸易有限公司',
      taxId: `91310000${Math.floor(Math.random() * 1e9)}`,
      address: {
        country: 'CN',
        province: '上海市',
        city: '上海市',
        district: '浦东新区',
        line1: '世纪大道 100 号',
      },
      currency: 'CNY',
    });
    expect(created.status).toBe(201);
    customerId = created.body.id;

    const a = await api.put<Invoice>(`/api/v1/invoices/${erp}/INV-A`, {
      customerId,
      number: 'INV-A',
      issueDate: isoDate(-20),
      dueDate: isoDate(10),
      total: cny('1000.00'),
    });
    const b = await api.put<Invoice>(`/api/v1/invoices/${erp}/INV-B`, {
      customerId,
      number: 'INV-B',
      issueDate: isoDate(-5),
      dueDate: isoDate(25),
      total: cny('500.00'),
    });
    expect([a.status, b.status]).toEqual([201, 201]);
    invoiceA = a.body.id;
    invoiceB = b.body.id;

    const c = await eventually(
      'balance 1500.00 unpaid',
      customer,
      (v) => v.balance?.outstanding?.amount === '1500.00',
    );
    expect(c.status).toBe('unpaid');
    const p = await eventually('a red pin', pin, (f) => f?.properties.status === 'unpaid');
    expect(p?.properties.color.toLowerCase()).toBe('#c62828');
    const [lng, lat] = p?.geometry.coordinates ?? [0, 0];
    expect(lat).toBeGreaterThan(30);
    expect(lat).toBeLessThan(32);
    expect(lng).toBeGreaterThan(120);
    expect(lng).toBeLessThan(123);
    await eventually(
      'A reminders scheduled',
      () => reminders(invoiceA),
      (r) => r.length === 5,
    );
    await eventually(
      'B reminders scheduled',
      () => reminders(invoiceB),
      (r) => r.length === 5,
    );
  });

  it('rejects bad payments with a 4xx naming the field, and changes nothing', async () => {
    const good = {
      customerId,
      amount: cny('10.00'),
      receivedAt: new Date().toISOString(),
      method: 'bank_transfer',
      reference: 'x',
    };
    const cases: [string, unknown, number, string][] = [
      ['negative amount', { ...good, amount: cny('-5.00') }, 422, 'amount'],
      ['non-decimal amount', { ...good, amount: cny('1e3') }, 422, 'amount'],
      ['float amount', { ...good, amount: { amount: 10.5, currency: 'CNY' } }, 400, 'amount'],
      ['unknown currency', { ...good, amount: { amount: '10.00', currency: 'XYZ' } }, 422, 'currency'],
      ['missing customer', { ...good, customerId: undefined }, 400, 'customerId'],
      ['unknown customer', { ...good, customerId: randomUUID() }, 404, 'customerId'],
      [
        'unknown invoice',
        { ...good, allocations: [{ invoiceId: randomUUID(), amount: cny('10.00') }] },
        404,
        'invoiceId',
      ],
      [
        'currency unlike the invoice',
        {
          ...good,
          amount: { amount: '10.00', currency: 'USD' },
          allocations: [{ invoiceId: invoiceA, amount: { amount: '10.00', currency: 'USD' } }],
        },
        422,
        'currency',
      ],
      [
        'allocations above the payment',
        { ...good, allocations: [{ invoiceId: invoiceA, amount: cny('20.00') }] },
        422,
        'allocations',
      ],
      [
        'allocation above the open amount',
        { ...good, amount: cny('2000.00'), allocations: [{ invoiceId: invoiceA, amount: cny('1500.00') }] },
        422,
        'allocations',
      ],
    ];
    for (const [name, body, status, field] of cases) {
      const res = await pay(randomUUID(), body);
      expect({ name, status: res.status }).toEqual({ name, status });
      expect(JSON.stringify(res.body.error)).toContain(field);
    }
    const oversized = await pay(randomUUID(), { ...good, reference: 'x'.repeat(2 * 1024 * 1024) });
    expect(oversized.status).toBe(413);
    const noKey = await api.post<ErrorBody>('/api/v1/payments', good);
    expect(noKey.status).toBe(400);
    expect(JSON.stringify(noKey.body)).toMatch(/idempotency-key/i);

    // Nothing moved: still 1500.00 owed, both invoices open.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await customer()).balance.outstanding.amount).toBe('1500.00');
    expect((await invoice(invoiceA)).openAmount.amount).toBe('1000.00');
  });

  it('applies a payment covering the first invoice, once, however often it is posted', async () => {
    const body = {
      customerId,
      amount: cny('1000.00'),
      receivedAt: new Date().toISOString(),
      method: 'bank_transfer',
      reference: 'INV-A',
      allocations: [{ invoiceId: invoiceA, amount: cny('1000.00') }],
    };
    const key = randomUUID();
    const first = await pay(key, body);
    expect(first.status).toBe(201);
    expect(first.body.allocations).toEqual([
      expect.objectContaining({ invoiceId: invoiceA, applied: cny('1000.00') }),
    ]);
    const again = await pay(key, body);
    expect([200, 201]).toContain(again.status);
    expect(again.body.id).toBe(first.body.id);
    const reused = await pay(key, { ...body, reference: 'something else' });
    expect(reused.status).toBe(409);

    const a = await eventually(
      'invoice A paid',
      () => invoice(invoiceA),
      (v) => v.status === 'paid',
    );
    expect(a.openAmount.amount).toBe('0.00');
    const c = await eventually('balance 500.00', customer, (v) => v.balance.outstanding.amount === '500.00');
    expect(c.status).toBe('unpaid');
    await eventually(
      'A reminders cancelled',
      () => reminders(invoiceA),
      (r) => r.every((x) => x.status === 'cancelled'),
    );
    expect((await reminders(invoiceB)).filter((r) => r.status === 'scheduled')).toHaveLength(5);
    expect((await pin())?.properties.status).toBe('unpaid');
    // The duplicate post did not count twice: still exactly 500.00 after everything settled.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await customer()).balance.outstanding.amount).toBe('500.00');
  });

  it('turns the customer paid and green once the rest is paid', async () => {
    const res = await pay(randomUUID(), {
      customerId,
      amount: cny('500.00'),
      receivedAt: new Date().toISOString(),
      method: 'e_wallet',
      reference: 'INV-B',
    });
    expect(res.status).toBe(201);
    expect(res.body.allocations).toEqual([
      expect.objectContaining({ invoiceId: invoiceB, applied: cny('500.00') }),
    ]);
    const c = await eventually('customer paid', customer, (v) => v.status === 'paid');
    expect(c.balance.outstanding.amount).toBe('0.00');
    const p = await eventually('a green pin', pin, (f) => f?.properties.status === 'paid');
    expect(p?.properties.color.toLowerCase()).toBe('#2e7d32');
  });

  it('turns the customer overdue and yellow when an invoice is past its due date', async () => {
    const res = await api.put<Invoice>(`/api/v1/invoices/${erp}/INV-C`, {
      customerId,
      number: 'INV-C',
      issueDate: isoDate(-40),
      dueDate: isoDate(-2),
      total: cny('300.00'),
    });
    expect(res.status).toBe(201);
    await eventually(
      'invoice C overdue',
      () => invoice(res.body.id),
      (v) => v.status === 'overdue',
    );
    const c = await eventually('customer overdue', customer, (v) => v.status === 'overdue');
    expect(c.balance.overdue.amount).toBe('300.00');
    const p = await eventually('a yellow pin', pin, (f) => f?.properties.status === 'overdue');
    expect(p?.properties.color.toLowerCase()).toBe('#f9a825');
  });
});
