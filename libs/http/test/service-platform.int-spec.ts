import { Injectable, Module, type DynamicModule } from '@nestjs/common';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { platformConfig, type ConfigOf } from '@duemap/config';
import { Topic } from '@duemap/events';
import {
  eventTopic,
  EventSubscriberProvider,
  messagingEntities,
  messagingMigrations,
  subscribe,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { startServiceUnderTest, waitFor, type ServiceUnderTest } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
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

/** Messaging's tables are all the database this spec's service needs. */
const dataSource = (url: string): PostgresConnectionOptions => ({
  type: 'postgres',
  url,
  entities: messagingEntities,
  migrations: messagingMigrations,
});

describe('ServicePlatformModule', () => {
  let service: ServiceUnderTest<ConfigOf<typeof platformConfig>>;

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'platform-spec',
      database: 'platform',
      schema: platformConfig,
      dataSource,
      module: (config, logger): DynamicModule => ({
        module: class RootModule {},
        imports: [
          ServicePlatformModule.forService({ config, logger, dataSource: dataSource(config.DATABASE_URL) }),
          FeatureModule,
        ],
      }),
    });
  });

  afterAll(async () => {
    await service?.close();
  });

  it('serves /health with the database up', async () => {
    const res = await fetch(`${service.url}/health`);
    expect(res.status).toBe(200);
  });

  it('finds subscribers in feature modules and feeds them their topic', async () => {
    const customerId = `cust-${randomUUID()}`;
    await service.publisher.publish(Topic.CustomerUpserted, {
      customerId,
      occurredAt: timestampFromDate(new Date()),
      name: 'ACME',
    });
    await waitFor('the subscriber to see the event', () => (seen.includes(customerId) ? true : undefined));
  });
});
