import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { create, toBinary } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { CustomerUpsertedSchema, Topic } from '@duemap/events';
import {
  createProducer,
  eventTopic,
  EventSubscriberProvider,
  messagingEntities,
  messagingMigrations,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import {
  createTestDatabase,
  migrate,
  startPrivateKafka,
  startTestApp,
  testKafka,
  testLogger,
  waitFor,
  type PrivateKafka,
  type TestApp,
  type TestDatabase,
} from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import { ServicePlatformModule } from '../src';

const seen: string[] = [];

@Injectable()
@EventSubscriberProvider()
class CustomerUpsertedConsumer implements EventSubscriber {
  subscriptions(): Subscription[] {
    return [
      subscribe(eventTopic(Topic.CustomerUpserted), (event) => {
        seen.push(event.customerId);
        return Promise.resolve();
      }),
    ];
  }
}

@Module({ providers: [CustomerUpsertedConsumer] })
class FeatureModule {}

describe('ServicePlatformModule', () => {
  let kafka: PrivateKafka;
  let db: TestDatabase;
  let app: TestApp;

  beforeAll(async () => {
    [kafka, db] = await Promise.all([startPrivateKafka(), createTestDatabase('platform')]);
    const dataSource = {
      type: 'postgres' as const,
      url: db.url,
      entities: messagingEntities,
      migrations: messagingMigrations,
    };
    await migrate(dataSource);
    const root: DynamicModule = {
      module: class RootModule {},
      imports: [
        ServicePlatformModule.forService({
          config: { SERVICE_NAME: 'platform-spec', DATABASE_URL: db.url, KAFKA_BROKERS: kafka.brokers },
          logger: testLogger(),
          dataSource,
        }),
        FeatureModule,
      ],
    };
    app = await startTestApp(root);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
    await kafka?.stop();
  });

  it('serves /health with the database up', async () => {
    const res = await fetch(`${app.url}/health`);
    expect(res.status).toBe(200);
  });

  it('finds subscribers in feature modules and feeds them their topic', async () => {
    const producer = createProducer(testKafka(kafka.brokers));
    await producer.connect();
    const customerId = `cust-${randomUUID()}`;
    const event = create(CustomerUpsertedSchema, {
      customerId,
      occurredAt: timestampFromDate(new Date()),
      name: 'ACME',
    });
    await producer.send({
      topic: Topic.CustomerUpserted,
      messages: [
        {
          key: customerId,
          value: Buffer.from(toBinary(CustomerUpsertedSchema, event)),
          headers: {
            'event-id': randomUUID(),
            'event-type': CustomerUpsertedSchema.typeName,
            'schema-version': '1',
            'content-type': 'application/x-protobuf',
            'occurred-at': new Date().toISOString(),
            producer: 'spec',
          },
        },
      ],
    });
    await producer.disconnect();
    await waitFor('the subscriber to see the event', () => (seen.includes(customerId) ? true : undefined));
  });
});
