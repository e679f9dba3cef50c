import { randomUUID } from 'node:crypto';
import { reconcile } from '../tools/reconcile';
import { ApiClient, eventually, isoDate, type Money } from './api-client';
import { startStack, type BackendService, type Stack } from './stack';

interface CustomerPage {
  items: { id: string; status: string; balance: { outstanding: Money } }[];
  nextCursor: string | null;
}

const CUSTOMERS = 50;
const INVOICES_PER_CUSTOMER = 10;
const PAYMENTS = CUSTOMERS * INVOICES_PER_CUSTOMER; // 500, one per invoice, oldest due first

/** After how many posted payments each consumer service is killed; it stays down DOWNTIME_MS. */
const CRASHES: { service: BackendService; killAt: number }[] = [
  { service: 'invoicing', killAt: 60 },
  { service: 'customers', killAt: 160 },
  { service: 'payments', killAt: 260 },
  { service: 'notifications', killAt: 330 },
  { service: 'geocoding', killAt: 420 },
];
const DOWNTIME_MS = 3000;

describe('SIGKILL of a consumer service in the middle of 500 payments', () => {
  let stack: Stack;
  let api: ApiClient;
  const customers: string[] = [];
  const erp = `crash-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await startStack();
    api = new ApiClient(stack.gatewayUrl, { token: await stack.token({ roles: ['finance'] }) });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function unsettled(): Promise<number> {
    const res = await api.get<CustomerPage>(`/api/v1/customers?status=unpaid,overdue&limit=200`);
    return res.status === 200 ? res.body.items.length : Number.MAX_SAFE_INTEGER;
  }

  it('loses nothing and counts nothing twice', async () => {
    for (let c = 0; c < CUSTOMERS; c++) {
      const res = await api.put<{ id: string }>(`/api/v1/customers/${erp}/C-${c}`, {
        name: `Crash Test ${c}`,
        address: { country: 'CN', province: '浙江省', city: '杭州市' },
        currency: 'CNY',
      });
      expect(res.status).toBe(201);
      customers.push(res.body.id);
    }
    await Promise.all(
      customers.map(async (customerId, c) => {
        for (let i = 0; i < INVOICES_PER_CUSTOMER; i++) {
          const res = await api.put(`/api/v1/invoices/${erp}/I-${c}-${i}`, {
            customerId,
            number: `I-${c}-${i}`,
            issueDate: isoDate(-30),
            dueDate: isoDate(10 + i),
            total: { amount: '100.00', currency: 'CNY' },
          });
          expect(res.status).toBe(201);
        }
      }),
    );
    await eventually('every customer unpaid with 1000.00', unsettled, (n) => n === CUSTOMERS, 60_000);

    // The stream: payments keep coming while services die and come back. A payment the gateway
    // could not deliver (payments itself down) is retried with the same Idempotency-Key.
    let posted = 0;
    const crashes = CRASHES.map((crash) => ({ ...crash, killed: false }));
    const restarts: Promise<void>[] = [];
    const queue = Array.from({ length: PAYMENTS }, (_, n) => ({
      customerId: customers[n % CUSTOMERS] as string,
      key: randomUUID(),
      receivedAt: new Date().toISOString(),
    }));
    // A retry sends exactly the same request: same key, same body.
    const post = async (p: { customerId: string; key: string; receivedAt: string }): Promise<void> => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const res = await api.post(
          '/api/v1/payments',
          {
            customerId: p.customerId,
            amount: { amount: '100.00', currency: 'CNY' },
            receivedAt: p.receivedAt,
            method: 'bank_transfer',
            reference: p.key,
          },
          { 'Idempotency-Key': p.key },
        );
        if (res.status === 201 || res.status === 200) return;
        if (res.status !== 502 && res.status !== 503)
          throw new Error(`payment answered ${res.status}: ${JSON.stringify(res.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error('payment never accepted');
    };
    const workers = Array.from({ length: 8 }, async () => {
      for (;;) {
        const next = queue.shift();
        if (!next) return;
        await post(next);
        posted++;
        for (const crash of crashes) {
          if (!crash.killed && posted >= crash.killAt) {
            crash.killed = true;
            const service = stack.services[crash.service];
            await service.kill('SIGKILL');
            restarts.push(
              new Promise((resolve) => setTimeout(resolve, DOWNTIME_MS)).then(() => service.restart()),
            );
          }
        }
      }
    });
    await Promise.all(workers);
    await Promise.all(restarts);
    expect(posted).toBe(PAYMENTS);
    expect(restarts).toHaveLength(CRASHES.length);

    await eventually('every customer paid', unsettled, (n) => n === 0, 120_000);

    const dbs = {
      customers: stack.databases.customers.url,
      invoicing: stack.databases.invoicing.url,
      payments: stack.databases.payments.url,
      geocoding: stack.databases.geocoding.url,
    };
    const report = await eventually(
      'the invariants to hold everywhere',
      () => reconcile(dbs),
      (r) => r.mismatches.length === 0,
      60_000,
    );
    expect(report.customers).toBe(CUSTOMERS);

    // Nothing counted twice: exactly 500 applications of 100.00, each invoice paid once.
    const invoices = await api.get<{ items: { status: string; payments: unknown[] }[] }>(
      `/api/v1/invoices?customerId=${customers[0]}&limit=100`,
    );
    expect(invoices.body.items).toHaveLength(INVOICES_PER_CUSTOMER);
    for (const inv of invoices.body.items) {
      expect(inv.status).toBe('paid');
      expect(inv.payments).toHaveLength(1);
    }
    for (const customerId of customers.slice(0, 10)) {
      const c = await api.get<{ balance: { outstanding: Money; unappliedCredit: Money } }>(
        `/api/v1/customers/${customerId}`,
      );
      expect(c.body.balance.outstanding.amount).toBe('0.00');
      expect(c.body.balance.unappliedCredit.amount).toBe('0.00');
    }
  });
});
