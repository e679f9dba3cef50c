import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { platformConfig, type ConfigOf } from '@duemap/config';
import { dlqTopic, Topic } from '@duemap/events';
import {
  createKafka,
  createProducer,
  eventTopic,
  EventSubscriberProvider,
  FatalEventError,
  MessagingRuntime,
  messagingEntities,
  messagingMigrations,
  OutboxRelay,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { startServiceUnderTest, testLogger, waitFor, type ServiceUnderTest } from '@duemap/testing';
import type { HealthCheckResult } from '@nestjs/terminus';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { ServicePlatformModule } from '../src';

/**
 * The subscriber the spec steers: while `gate` is set every event waits for it (a consumer group
 * that does not consume), and a customer named "poison" is refused for good (a dead letter).
 */
const steering: { gate?: Promise<void> } = {};

@Injectable()
@EventSubscriberProvider()
class CustomerUpsertedConsumer implements EventSubscriber {
  subscriptions(): Subscription[] {
    return [
      subscribe(eventTopic(Topic.CustomerUpserted), async (event) => {
        await steering.gate;
        if (event.name === 'poison') throw new FatalEventError('refused by the spec');
      }),
    ];
  }
}

@Module({ providers: [CustomerUpsertedConsumer] })
class FeatureModule {}

const dataSource = (url: string): PostgresConnectionOptions => ({
  type: 'postgres',
  url,
  entities: messagingEntities,
  migrations: messagingMigrations,
});

const SERVICE = 'pipe-health-spec';
const SUBSCRIBED_DLQ = dlqTopic(Topic.CustomerUpserted);

interface Health {
  status: number;
  body: HealthCheckResult;
}

/**
 * A stuck pipe (outbox rows nobody publishes, a consumer group that does not consume, dead
 * letters) degrades /health (readiness) with the reason, while /health/live stays up; each
 * recovers by itself. The bounds are tightened through the service's config (env).
 */
describe('/health on a stuck pipe', () => {
  let service: ServiceUnderTest<ConfigOf<typeof platformConfig>>;

  const health = async (path = '/health'): Promise<Health> => {
    const res = await fetch(`${service.url}${path}`);
    return { status: res.status, body: (await res.json()) as HealthCheckResult };
  };
  const metrics = async (): Promise<string> => (await fetch(`${service.url}/metrics`)).text();
  /** Waits until /health answers 503 with `key` down (for a reason that contains `why`). */
  const degraded = (key: string, why = ''): Promise<Health> =>
    waitFor(`/health to report ${key} down ${why}`, async () => {
      const h = await health();
      const down = h.body.error?.[key];
      return h.status === 503 && down?.status === 'down' && String(down.message).includes(why)
        ? h
        : undefined;
    });
  const recovered = (): Promise<Health> =>
    waitFor('/health to answer 200 again', async () => {
      const h = await health();
      return h.status === 200 ? h : undefined;
    });
  /** The group's lag gauge at 0: it consumed and committed everything published so far. */
  const lagGauge = new RegExp(`^duemap_consumer_lag_messages\\{group="${SERVICE}",topic="[^"]+"\\} 0$`, 'm');
  const customer = (name: string) => ({
    customerId: `cust-${randomUUID()}`,
    occurredAt: timestampFromDate(new Date()),
    name,
  });

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: SERVICE,
      database: 'pipe_health',
      schema: platformConfig,
      dataSource,
      env: {
        PIPE_SAMPLE_INTERVAL: '200ms',
        PIPE_OUTBOX_MAX_AGE: '5s',
        PIPE_LAG_MAX: '5',
        PIPE_LAG_MAX_FOR: '1s',
        PIPE_DLQ_MAX_NEW: '0',
        PIPE_DLQ_WINDOW: '3s',
      },
      module: (config, logger): DynamicModule => ({
        module: class RootModule {},
        imports: [
          ServicePlatformModule.forService({
            config,
            logger,
            dataSource: dataSource(config.DATABASE_URL),
            // No relay in this process: what the outbox holds waits until the spec starts one.
            messaging: { relay: false },
          }),
          FeatureModule,
        ],
      }),
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('is ready with an idle pipe that consumes, and reports each part', async () => {
    const eventId = await service.publisher.publish(Topic.CustomerUpserted, customer('first'));
    await service.handled(eventId);
    await waitFor('the group to commit what it consumed', async () =>
      lagGauge.test(await metrics()) ? true : undefined,
    );
    const h = await recovered();
    expect(h.body.details).toMatchObject({
      database: { status: 'up' },
      outbox: { status: 'up', pendingRows: 0 },
      consumer_lag: { status: 'up' },
      dlq: { status: 'up' },
    });
  });

  it('degrades while outbox rows wait longer than PIPE_OUTBOX_MAX_AGE, and recovers once they are published', async () => {
    const app = service.app.app;
    const dataSourceOf = app.get<DataSource>(getDataSourceToken());
    const runtime = app.get(MessagingRuntime);
    await dataSourceOf.transaction(async (em) => {
      for (let i = 0; i < 3; i++) {
        await runtime.outbox.append(em, {
          topic: eventTopic(Topic.CustomerUpserted),
          key: `cust-${i}`,
          event: customer('waiting'),
        });
      }
    });
    // Written a minute ago by a relay-less process: older than the bound from the first sample on.
    await service.sql.query(`UPDATE outbox SET created_at = now() - interval '1 minute'`);

    const stuck = await degraded('outbox');
    expect(stuck.body.error?.outbox).toMatchObject({ status: 'down', pendingRows: 3 });
    expect(String(stuck.body.error?.outbox?.message)).toMatch(/oldest pending outbox row is \d+ s old/);
    expect((await health('/health/live')).status).toBe(200);
    expect(await metrics()).toMatch(/^duemap_outbox_pending_rows 3$/m);
    expect(await metrics()).toMatch(/^duemap_outbox_oldest_pending_seconds (6\d|[7-9]\d)(\.\d+)?$/m);

    const producer = createProducer(
      createKafka({ clientId: 'spec-relay', brokers: service.kafka.brokers, logger: testLogger() }),
    );
    await producer.connect();
    const relay = new OutboxRelay({ dataSource: dataSourceOf, producer, logger: testLogger() });
    await relay.start();
    try {
      const ok = await recovered();
      expect(ok.body.details?.outbox).toMatchObject({ status: 'up', pendingRows: 0 });
      expect(await metrics()).toMatch(/^duemap_outbox_pending_rows 0$/m);
    } finally {
      await relay.stop();
      await producer.disconnect();
    }
  });

  it('degrades while a row is parked (never publishable), and recovers once a person dealt with it', async () => {
    await service.sql.query(
      `INSERT INTO outbox_parked (id, event_id, topic, message_key, event_type, payload, headers, shard, created_at, reason)
       VALUES (9000001, gen_random_uuid(), 'no-such-topic.v1', 'cust-parked', 'spec', '\\x00', '{}', 0, now(),
               'spec: unknown topic')`,
    );
    const stuck = await degraded('outbox', 'parked');
    expect(stuck.body.error?.outbox).toMatchObject({ status: 'down', parkedRows: 1 });

    await service.sql.query(`DELETE FROM outbox_parked WHERE id = 9000001`);
    const ok = await recovered();
    expect(ok.body.details?.outbox).toMatchObject({ status: 'up', parkedRows: 0 });
  });

  it('degrades while the consumer group lags more than PIPE_LAG_MAX for PIPE_LAG_MAX_FOR, and recovers once it caught up', async () => {
    await waitFor('the group to have caught up', async () =>
      lagGauge.test(await metrics()) ? true : undefined,
    );
    let open!: () => void;
    steering.gate = new Promise<void>((resolve) => (open = resolve));
    try {
      for (let i = 0; i < 12; i++) await service.publisher.publish(Topic.CustomerUpserted, customer('late'));
      const lagging = await degraded('consumer_lag', `${SERVICE} lags ${Topic.CustomerUpserted} by`);
      expect(String(lagging.body.error?.consumer_lag?.message)).toMatch(
        /messages, above 5 for [\d.]+ s \(bound 1 s\)/,
      );
      expect((await health('/health/live')).status).toBe(200);
      expect(await metrics()).toMatch(
        new RegExp(
          `^duemap_consumer_lag_messages\\{group="${SERVICE}",topic="${Topic.CustomerUpserted.replace(/\./g, '\\.')}"\\} ([6-9]|1[0-2])$`,
          'm',
        ),
      );
    } finally {
      steering.gate = undefined;
      open();
    }
    await recovered();
    await waitFor('the lag gauge to fall to 0', async () =>
      lagGauge.test(await metrics()) ? true : undefined,
    );
  });

  it('degrades while the group does not move for PIPE_LAG_MAX_FOR, even with fewer than PIPE_LAG_MAX messages waiting', async () => {
    await waitFor('the group to have caught up', async () =>
      lagGauge.test(await metrics()) ? true : undefined,
    );
    let open!: () => void;
    steering.gate = new Promise<void>((resolve) => (open = resolve));
    try {
      await service.publisher.publish(Topic.CustomerUpserted, customer('stuck'));
      await service.publisher.publish(Topic.CustomerUpserted, customer('stuck'));
      const stuck = await degraded('consumer_lag', `${SERVICE} has not moved on ${Topic.CustomerUpserted}`);
      expect(String(stuck.body.error?.consumer_lag?.message)).toMatch(/while 2 messages wait/);
    } finally {
      steering.gate = undefined;
      open();
    }
    await recovered();
  });

  it('degrades when a subscribed topic’s DLQ gains more than PIPE_DLQ_MAX_NEW within PIPE_DLQ_WINDOW, and recovers when the window passed', async () => {
    await service.publisher.publish(Topic.CustomerUpserted, customer('poison'));
    const dead = await degraded('dlq');
    expect(String(dead.body.error?.dlq?.message)).toContain(`${SUBSCRIBED_DLQ} gained 1`);
    expect((await health('/health/live')).status).toBe(200);
    expect(await metrics()).toMatch(
      new RegExp(`^duemap_dlq_messages\\{topic="${SUBSCRIBED_DLQ.replace(/\./g, '\\.')}"\\} 1$`, 'm'),
    );

    await recovered();
    // The dead letter is still there (the gauge counts what the DLQ holds); readiness is back.
    expect(await metrics()).toMatch(
      new RegExp(`^duemap_dlq_messages\\{topic="${SUBSCRIBED_DLQ.replace(/\./g, '\\.')}"\\} 1$`, 'm'),
    );
  });
});
