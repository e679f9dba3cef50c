import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Territory } from '@duemap/auth';
import { Topic } from '@duemap/events';
import {
  identityHeaders,
  startServiceUnderTest,
  testEnv,
  uniqueName,
  type ServiceUnderTest,
  type TestIdentity,
} from '@duemap/testing';
import { AppModule } from '../src/app.module';
import { notificationsConfig, type NotificationsConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';

const GUANGDONG: Territory = {
  countries: [],
  provinces: ['CN/广东省'],
  salesTerritories: [],
  customerIds: [],
};
const COLLECTOR_A: TestIdentity = { roles: ['collector'], territory: GUANGDONG };
const FINANCE: TestIdentity = { roles: ['finance'] };

describe('notifications: a collector lists only the reminders of their territory', () => {
  let service: ServiceUnderTest<NotificationsConfig>;
  const inA = randomUUID();
  const inB = randomUUID();
  const invoiceOf = { [inA]: randomUUID(), [inB]: randomUUID() };

  async function reminders(who: TestIdentity, query: string): Promise<{ customerId: string }[]> {
    const res = await fetch(`${service.url}/api/v1/reminders?${query}`, {
      headers: await identityHeaders(who),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as { customerId: string }[];
  }

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'notifications',
      database: 'notifications_territory',
      schema: notificationsConfig,
      env: { REDIS_URL: testEnv.redisUrl, QUEUE_PREFIX: uniqueName('territory') },
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
    const occurredAt = timestampFromDate(new Date());
    const upserted = (customerId: string, region: string) =>
      service.publisher.publish(Topic.CustomerUpserted, {
        customerId,
        occurredAt,
        customerVersion: 1n,
        created: true,
        sources: [{ sourceSystem: 'spec', externalId: customerId }],
        name: `Customer ${customerId.slice(0, 8)}`,
        address: { countryCode: 'CN', region },
        timeZone: 'Asia/Shanghai',
      });
    await service.handled(await upserted(inA, '广东省'), await upserted(inB, '浙江省'));
    // Reminders as the planner leaves them (cancelled: nothing for the queue to send).
    for (const customerId of [inA, inB]) {
      await service.sql.query(
        `INSERT INTO reminders (id, invoice_id, customer_id, policy_id, level, offset_days, scheduled_for,
                                status, channel, reason, cancelled_at)
         VALUES ($1, $2, $3, 'default', 1, 0, now(), 'cancelled', 'email', 'spec', now())`,
        [randomUUID(), invoiceOf[customerId], customerId],
      );
    }
  });

  afterAll(async () => {
    await service?.close();
  });

  it("leaves another territory's reminders out, by customer and by invoice; finance sees them", async () => {
    expect(await reminders(COLLECTOR_A, `customerId=${inA}`)).toHaveLength(1);
    expect(await reminders(COLLECTOR_A, `invoiceId=${invoiceOf[inA]}`)).toHaveLength(1);
    expect(await reminders(COLLECTOR_A, `customerId=${inB}`)).toEqual([]);
    expect(await reminders(COLLECTOR_A, `invoiceId=${invoiceOf[inB]}`)).toEqual([]);
    expect(await reminders(FINANCE, `customerId=${inB}`)).toHaveLength(1);
    expect(await reminders({ roles: ['collector'] }, `customerId=${inA}`)).toEqual([]);
  });
});
