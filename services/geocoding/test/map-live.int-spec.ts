import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { Territory } from '@duemap/auth';
import { ArStatus, Topic } from '@duemap/events';
import {
  identityHeaders,
  startServiceUnderTest,
  waitFor,
  type ServiceUnderTest,
  type TestIdentity,
} from '@duemap/testing';
import { AppModule } from '../src/app.module';
import { geocodingConfig, type GeocodingConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';

const GUANGDONG: Territory = {
  countries: [],
  provinces: ['CN/广东省'],
  salesTerritories: [],
  customerIds: [],
};
const COLLECTOR: TestIdentity = { roles: ['collector'], territory: GUANGDONG };
const FINANCE: TestIdentity = { roles: ['finance'] };

/** An open GET /api/v1/map/live, its text as it arrives. */
interface Stream {
  status: number;
  text: () => string;
  ended: Promise<void>;
  close: () => void;
}

/**
 * GET /api/v1/map/live against a real broker and database: the pin changes of status-changed
 * events are streamed as the projection holds them, to the streams whose territory holds the
 * customer; the stream ends after maxSeconds; bad input is a 400 naming the field.
 */
describe('geocoding: the live map stream', () => {
  let service: ServiceUnderTest<GeocodingConfig>;
  const shenzhen = randomUUID();
  const hangzhou = randomUUID();
  const occurredAt = () => timestampFromDate(new Date());
  let version = 10n;

  async function open(who: TestIdentity, query = ''): Promise<Stream> {
    const abort = new AbortController();
    const res = await fetch(`${service.url}/api/v1/map/live${query}`, {
      headers: await identityHeaders(who),
      signal: abort.signal,
    });
    let text = '';
    const ended = (async () => {
      if (!res.body) return;
      const decoder = new TextDecoder();
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) text += decoder.decode(chunk);
    })().catch(() => undefined);
    return { status: res.status, text: () => text, ended, close: () => abort.abort() };
  }

  const status = (customerId: string, value: ArStatus): Promise<string> =>
    service.publisher.publish(Topic.StatusChanged, {
      customerId,
      occurredAt: occurredAt(),
      customerVersion: ++version,
      status: value,
    });

  beforeAll(async () => {
    service = await startServiceUnderTest({
      service: 'geocoding',
      database: 'geocoding_map_live',
      schema: geocodingConfig,
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
    });
    const customer = (customerId: string, region: string, city: string) =>
      service.publisher.publish(Topic.CustomerUpserted, {
        customerId,
        occurredAt: occurredAt(),
        customerVersion: 1n,
        created: true,
        sources: [{ sourceSystem: 'spec', externalId: customerId }],
        name: `Customer ${customerId.slice(0, 8)}`,
        address: { countryCode: 'CN', region, city },
        timeZone: 'Asia/Shanghai',
      });
    await service.handled(
      await customer(shenzhen, '广东省', '深圳市'),
      await customer(hangzhou, '浙江省', '杭州市'),
    );
  });

  afterAll(async () => {
    await service?.close();
  });

  it('streams each status change with where the pin is, only to the territories that hold it', async () => {
    const finance = await open(FINANCE);
    const collector = await open(COLLECTOR);
    expect([finance.status, collector.status]).toEqual([200, 200]);
    // The feed's consumer group joins after boot and starts at the end of the topic: change the
    // status until the stream shows it, then check what each caller was told.
    await waitFor(
      'the live feed to carry a change',
      async () => {
        if (finance.text().includes(`"customerId":"${hangzhou}","status":"overdue"`)) return true;
        await status(hangzhou, ArStatus.OVERDUE); // again: the group may have joined since the last one
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    await status(shenzhen, ArStatus.PAID);
    await waitFor('the 深圳 change on both streams', () =>
      finance.text().includes(`"customerId":"${shenzhen}","status":"paid"`) &&
      collector.text().includes(`"customerId":"${shenzhen}","status":"paid"`)
        ? true
        : undefined,
    );
    const frame =
      collector
        .text()
        .split('\n')
        .find((line) => line.includes(shenzhen)) ?? '';
    const change = JSON.parse(frame.replace(/^data: /, '')) as Record<string, unknown>;
    expect(change).toEqual({
      customerId: shenzhen,
      status: 'paid',
      color: '#2e7d32',
      lat: expect.any(Number),
      lng: expect.any(Number),
      version: String(version),
    });
    expect(change.lat as number).toBeGreaterThan(22);
    expect(change.lat as number).toBeLessThan(23);
    // 杭州 is not the collector's: never on their stream.
    expect(collector.text()).not.toContain(hangzhou);
    finance.close();
    collector.close();
  });

  it('ends the stream after maxSeconds, having said how soon to reconnect', async () => {
    const stream = await open(FINANCE, '?maxSeconds=1');
    await stream.ended;
    expect(stream.text()).toMatch(/^retry: 1000\n/);
  });

  it('refuses a bad maxSeconds naming the field, and a caller without an identity', async () => {
    const res = await fetch(`${service.url}/api/v1/map/live?maxSeconds=0`, {
      headers: await identityHeaders(FINANCE),
    });
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('maxSeconds');
    expect((await fetch(`${service.url}/api/v1/map/live`)).status).toBe(401);
  });
});
