/**
 * Two instances of every consumer service share the work, and the survivors take it over: the
 * whole stack (e2e/stack.ts) plus a second instance of each consumer service, every group checked
 * to have split its partitions between both; then payments flow, one instance of each service is
 * SIGKILLed mid-stream, and the checks are that each group was down to its survivor holding every
 * partition within the session timeout, every payment was applied exactly once, the invariants
 * hold (tools/reconcile) and no reminder of a paid invoice was sent.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';

import { AssignerProtocol, Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';

import { ApiClient, eventually, isoDate, type Money } from '../../../e2e/api-client';
import { BACKEND_SERVICES, startStack, type BackendService, type Stack } from '../../../e2e/stack';
import { reconcile } from '../../../tools/reconcile';
import { REPO_ROOT } from '../../local/paths';
import { freePort, isAlive, spawnDetached, stopProcessGroup } from '../../local/processes';
import { LOCAL_RATE_LIMITS } from '../../local/services';

const CUSTOMERS = 20;
const INVOICES_PER_CUSTOMER = 6;
const PAYMENTS = CUSTOMERS * INVOICES_PER_CUSTOMER;
const KILL_AT = PAYMENTS / 2;
/** The consumers' session timeout (libs/messaging event-consumer.ts) and a rebalance's own time. */
const SESSION_TIMEOUT_MS = 10_000;
const TAKEOVER_LIMIT_MS = SESSION_TIMEOUT_MS + 10_000;

interface Instance {
  service: BackendService;
  pid: number;
  url: string;
}

interface CustomerPage {
  items: { id: string }[];
}

/** A second instance of a service, with the environment e2e/stack.ts gives the first. */
async function startSecondInstance(stack: Stack, service: BackendService): Promise<Instance> {
  const port = await freePort();
  const issuer = stack.gatewayUrl;
  const urls = Object.fromEntries(
    BACKEND_SERVICES.map((name) => [`${name.toUpperCase()}_URL`, stack.services[name].url]),
  );
  const child = await spawnDetached(
    process.execPath,
    ['-r', '@swc-node/register', `services/${service}/src/main.ts`],
    {
      cwd: REPO_ROOT,
      logFile: path.join(stack.logDir, `${service}-2.log`),
      env: {
        ...process.env,
        ...urls,
        NODE_ENV: 'test',
        SERVICE_NAME: service,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        KAFKA_BROKERS: stack.kafka.brokers.join(','),
        REDIS_URL: stack.redisUrl,
        QUEUE_PREFIX: stack.queuePrefix,
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        DATABASE_URL: stack.databases[service].url,
        AUTH_ISSUER: issuer,
        AUTH_JWKS_URL: `${issuer}/auth/jwks.json`,
        RATE_LIMIT_KEY_PREFIX: `${stack.queuePrefix}:rl`,
        ...LOCAL_RATE_LIMITS,
      },
    },
  );
  const instance = { service, pid: child.pid, url: `http://127.0.0.1:${port}` };
  await eventually(
    `${service} #2 healthy`,
    async () => {
      if (!isAlive(instance.pid))
        throw new Error(`${service} #2 exited; see ${stack.logDir}/${service}-2.log`);
      return fetch(`${instance.url}/health`, { signal: AbortSignal.timeout(1_000) }).then(
        (res) => res.ok,
        () => false,
      );
    },
    (ok) => ok,
    90_000,
  );
  return instance;
}

/** Members of a consumer group and the partitions each holds ("topic:partition"). */
async function groupMembers(
  admin: Admin,
  group: string,
): Promise<{ member: string; partitions: string[] }[]> {
  const { groups } = await admin.describeGroups([group]);
  const described = groups[0];
  if (!described || described.state !== 'Stable') return [];
  return described.members.map((member) => {
    const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
    const partitions = Object.entries(decoded?.assignment ?? {}).flatMap(([topic, ids]) =>
      ids.map((id) => `${topic}:${id}`),
    );
    return { member: member.memberId, partitions };
  });
}

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('two instances of every consumer, one of each killed while payments flow', () => {
  let stack: Stack;
  let api: ApiClient;
  let admin: Admin;
  const seconds: Instance[] = [];
  const erp = `scale-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    stack = await startStack();
    api = new ApiClient(stack.gatewayUrl, { token: await stack.token({ roles: ['finance'] }) });
    admin = new Kafka({ brokers: stack.kafka.brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    for (const service of BACKEND_SERVICES) seconds.push(await startSecondInstance(stack, service));
  });

  afterAll(async () => {
    await admin?.disconnect();
    await Promise.all(
      seconds.map((instance) => stopProcessGroup(instance.pid, { signal: 'SIGKILL', graceMs: 5_000 })),
    );
    await stack?.stop();
  });

  it('shares partitions, survives the kills, applies every payment once', async () => {
    // 1. Every group has both instances, each with partitions of its own.
    const partitionsOf: Record<string, number> = {};
    for (const service of BACKEND_SERVICES) {
      const members = await eventually(
        `${service}'s group to have two members with partitions`,
        () => groupMembers(admin, service),
        (found) => found.length === 2 && found.every((member) => member.partitions.length > 0),
        60_000,
      );
      const all = members.flatMap((member) => member.partitions);
      expect(new Set(all).size).toBe(all.length);
      partitionsOf[service] = all.length;
    }

    // 2. Customers with ten open invoices each.
    const customers: string[] = [];
    for (let c = 0; c < CUSTOMERS; c++) {
      const res = await api.put<{ id: string }>(`/api/v1/customers/${erp}/C-${c}`, {
        name: `Scale Test ${c}`,
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
    const unsettled = async (): Promise<number> => {
      const res = await api.get<CustomerPage>(`/api/v1/customers?status=unpaid,overdue&limit=200`);
      return res.status === 200 ? res.body.items.length : Number.MAX_SAFE_INTEGER;
    };
    await eventually('every customer unpaid', unsettled, (n) => n === CUSTOMERS, 60_000);

    // 3. Payments flow; halfway, the second instance of every consumer is SIGKILLed.
    let posted = 0;
    let killedAt: number | undefined;
    const queue = Array.from({ length: PAYMENTS }, (_, n) => ({
      customerId: customers[n % CUSTOMERS] as string,
      key: randomUUID(),
    }));
    const workers = Array.from({ length: 6 }, async () => {
      for (;;) {
        const next = queue.shift();
        if (!next) return;
        const res = await api.post(
          '/api/v1/payments',
          {
            customerId: next.customerId,
            amount: { amount: '100.00', currency: 'CNY' },
            receivedAt: new Date().toISOString(),
            method: 'bank_transfer',
            reference: next.key,
          },
          { 'Idempotency-Key': next.key },
        );
        expect(res.status).toBe(201);
        posted++;
        if (posted >= KILL_AT && killedAt === undefined) {
          killedAt = Date.now();
          for (const instance of seconds) process.kill(-instance.pid, 'SIGKILL');
        }
      }
    });
    const takeovers = (async () => {
      await eventually(
        'the kills',
        () => Promise.resolve(killedAt),
        (at) => at !== undefined,
        120_000,
      );
      const times: Record<string, number> = {};
      await Promise.all(
        BACKEND_SERVICES.map(async (service) => {
          await eventually(
            `${service}'s survivor to hold every partition`,
            () => groupMembers(admin, service),
            (found) => found.length === 1 && found[0]?.partitions.length === partitionsOf[service],
            60_000,
          );
          times[service] = Date.now() - (killedAt ?? 0);
        }),
      );
      return times;
    })();
    await Promise.all(workers);
    expect(posted).toBe(PAYMENTS);
    const times = await takeovers;
    for (const service of BACKEND_SERVICES) expect(times[service]).toBeLessThanOrEqual(TAKEOVER_LIMIT_MS);

    // 4. Everything settled, once.
    await eventually('every customer paid', unsettled, (n) => n === 0, 120_000);
    const report = await eventually(
      'the invariants to hold everywhere',
      () =>
        reconcile({
          customers: stack.databases.customers.url,
          invoicing: stack.databases.invoicing.url,
          payments: stack.databases.payments.url,
          geocoding: stack.databases.geocoding.url,
        }),
      (r) => r.mismatches.length === 0,
      60_000,
    );
    expect(report.customers).toBe(CUSTOMERS);
    expect(report.payments).toBe(PAYMENTS);
    for (const customerId of customers) {
      const invoices = await api.get<{ items: { status: string; payments: unknown[] }[] }>(
        `/api/v1/invoices?customerId=${customerId}&limit=100`,
      );
      expect(invoices.body.items.map((invoice) => [invoice.status, invoice.payments.length])).toEqual(
        Array.from({ length: INVOICES_PER_CUSTOMER }, () => ['paid', 1]),
      );
      const customer = await api.get<{ balance: { outstanding: Money; unappliedCredit: Money } }>(
        `/api/v1/customers/${customerId}`,
      );
      expect([
        customer.body.balance.outstanding.amount,
        customer.body.balance.unappliedCredit.amount,
      ]).toEqual(['0.00', '0.00']);
    }
    // No reminder of a paid invoice went out, none twice; all of them were cancelled.
    const reminders = await query<{ status: string; n: string }>(
      stack.databases.notifications.url,
      `SELECT status, count(*) AS n FROM reminders GROUP BY status ORDER BY status`,
    );
    expect(reminders.filter((row) => row.status === 'sent')).toEqual([]);
    expect(reminders.find((row) => row.status === 'cancelled')?.n).toBeDefined();
    const deliveries = await query<{ n: string }>(
      stack.databases.notifications.url,
      `SELECT count(*) AS n FROM deliveries`,
    );
    expect(deliveries[0]?.n).toBe('0');
  });
});
