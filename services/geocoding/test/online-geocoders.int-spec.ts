import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestDatabase, type TestDatabase } from '@duemap/testing';
import { OutboundUrlError } from '@duemap/http';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import { GeocodeCache1797900000000 } from '../src/database/migrations/1797900000000-geocode-cache';
import { OfflineGeocoder } from '../src/geocoder/offline/offline-geocoder';
import { gcjToWgs, bdToWgs } from '../src/geocoder/coordinates';
import {
  createOnlineGeocoder,
  type OnlineGeocoderConfig,
} from '../src/geocoder/online/create-online-geocoder';
import {
  AMAP_FUTONG,
  AMAP_INVALID_KEY,
  BAIDU_SHANGDI,
  NOMINATIM_ADLON,
  PELIAS_30_W_26TH,
} from '../src/geocoder/online/fixtures/responses';
import type { OnlineProviderName } from '../src/geocoder/online/online-adapter';
import type { GeocoderLog } from '../src/geocoder/online/online-geocoder';

interface Recorded {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  at: number;
}

/** What the fake provider does with a request: answer JSON (after a delay) or a status. */
type Reply = { status?: number; body?: unknown; delayMs?: number };

/**
 * A provider on 127.0.0.1 speaking its protocol: records every request (path, query, headers,
 * arrival time) and answers what the test says.
 */
class FakeProvider {
  readonly requests: Recorded[] = [];
  reply: (req: Recorded) => Reply = () => ({ status: 404 });
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const recorded = {
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        at: performance.now(),
      };
      this.requests.push(recorded);
      const { status = 200, body, delayMs = 0 } = this.reply(recorded);
      const timer = setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body === undefined ? '{"error":"fake"}' : JSON.stringify(body));
      }, delayMs);
      res.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Every log line the geocoder writes, as JSON, to look for the key in. */
function recordingLog(): GeocoderLog & { lines: string[] } {
  const lines: string[] = [];
  const push = (entry: Record<string, unknown>) => lines.push(JSON.stringify(entry));
  return { lines, info: push, warn: push, debug: push };
}

const base = (over: Partial<OnlineGeocoderConfig>): OnlineGeocoderConfig => ({
  GEOCODER_URL: undefined,
  GEOCODER_KEY: undefined,
  GEOCODER_USER_AGENT: 'duemap-int-spec/1.0 (ops@duemap.example)',
  GEOCODER_RATE_PER_SECOND: 50,
  GEOCODER_RATE_SCOPE: 'process',
  REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  GEOCODER_MAX_WAIT: 10_000,
  GEOCODER_TIMEOUT: 2_000,
  GEOCODER_CACHE_TTL: undefined,
  OUTBOUND_ALLOW_PRIVATE: true,
  OUTBOUND_ALLOW_HOSTS: '',
  ...over,
});

async function metricValue(name: string, labels: Record<string, string>): Promise<number> {
  const metric = register.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  const found = values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return found?.value ?? 0;
}

/**
 * The online geocoders against fake providers on 127.0.0.1 and the real Postgres (geocode_cache by
 * its migration): mapping, rate limit, cache, fallback on timeouts and 500s, the key sent and
 * never logged (issue 16).
 */
describe('geocoding: online geocoders against local fake providers', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let offline: OfflineGeocoder;
  const fake = new FakeProvider();

  const make = (name: OnlineProviderName, over: Partial<OnlineGeocoderConfig>, log = recordingLog()) =>
    createOnlineGeocoder(name, base({ GEOCODER_URL: fake.url, ...over }), { offline, dataSource, log });

  beforeAll(async () => {
    db = await createTestDatabase('geocoding_online');
    dataSource = new DataSource({ type: 'postgres', url: db.url, migrations: [GeocodeCache1797900000000] });
    await dataSource.initialize();
    await dataSource.runMigrations();
    offline = await OfflineGeocoder.load();
    await fake.start();
  });

  afterAll(async () => {
    await fake.stop();
    await dataSource.destroy();
    await db.drop();
  });

  beforeEach(() => {
    fake.requests.length = 0;
  });

  it('nominatim: maps the answer, sends the User-Agent, and the cache answers the second call with no request', async () => {
    fake.reply = () => ({ body: NOMINATIM_ADLON });
    const geocoder = await make('nominatim', {});
    const address = {
      countryCode: 'DE',
      city: 'Berlin',
      postalCode: '10117',
      streetLines: ['Unter den Linden 77'],
    };
    const first = await geocoder.geocode(address);
    expect(first).toMatchObject({
      lat: 52.5162746,
      lng: 13.3777041,
      precision: 'rooftop',
      source: 'nominatim; Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright',
      normalized: { countryCode: 'DE', city: 'Berlin', region: { code: '16' } },
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.path).toBe('/search');
    expect(fake.requests[0]?.query.get('street')).toBe('Unter den Linden 77');
    expect(fake.requests[0]?.headers['user-agent']).toBe('duemap-int-spec/1.0 (ops@duemap.example)');

    const again = await geocoder.geocode({ ...address, city: 'berlin ' });
    expect(again).toEqual(first);
    expect(fake.requests).toHaveLength(1);

    const rows = await dataSource.query<
      { provider: string; attribution: string; licence: string; days: number }[]
    >(
      `SELECT provider, attribution, licence, round(extract(epoch FROM expires_at - cached_at) / 86400) AS days FROM geocode_cache`,
    );
    expect(rows).toEqual([
      {
        provider: 'nominatim',
        attribution: expect.stringContaining('OpenStreetMap contributors') as string,
        licence: expect.stringContaining('ODbL 1.0') as string,
        days: '30',
      },
    ]);
    expect(
      await metricValue('duemap_geocoder_cache_total', { provider: 'nominatim', result: 'hit' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('spaces requests by the rate limit (2/s: 500 ms apart) and refuses past GEOCODER_MAX_WAIT', async () => {
    fake.reply = () => ({ body: [] });
    const geocoder = await make('nominatim', {
      GEOCODER_URL: `${fake.url}/nominatim`,
      GEOCODER_RATE_PER_SECOND: 2,
      GEOCODER_MAX_WAIT: 1_200,
      GEOCODER_CACHE_TTL: 0,
    });
    const addresses = ['1', '2', '3', '4'].map((n) => ({
      countryCode: 'DE',
      singleLine: `Hauptstraße ${n}, Berlin`,
    }));
    const results = await Promise.all(addresses.map((a) => geocoder.geocode(a)));
    // Three were sent (now, +500 ms, +1000 ms); the fourth would have waited 1.5 s > 1.2 s and was
    // answered offline without a request. Every one still got Berlin.
    expect(fake.requests).toHaveLength(3);
    expect(fake.requests.every((r) => r.path === '/nominatim/search')).toBe(true);
    const gaps = fake.requests.slice(1).map((r, i) => r.at - (fake.requests[i]?.at ?? 0));
    // Slots 500 ms apart; a busy event loop may delay one request on its way to the server.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(350);
    expect((fake.requests[2]?.at ?? 0) - (fake.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(2 * 500 - 50);
    expect(results.map((r) => r?.normalized.city)).toEqual(['Berlin', 'Berlin', 'Berlin', 'Berlin']);
    expect(
      await metricValue('duemap_geocoder_errors_total', { provider: 'nominatim', reason: 'rate_limited' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('GEOCODER_RATE_SCOPE=redis: two replicas together keep the rate (5/s: 200 ms apart)', async () => {
    fake.reply = () => ({ body: [] });
    // A URL path of its own gives this run its own bucket key (provider + host + port).
    const replicas = await Promise.all(
      [1, 2].map(() =>
        make('nominatim', {
          GEOCODER_RATE_SCOPE: 'redis',
          GEOCODER_RATE_PER_SECOND: 5,
          GEOCODER_CACHE_TTL: 0,
        }),
      ),
    );
    try {
      const addresses = [1, 2, 3].map((n) => ({ countryCode: 'DE', singleLine: `Ringstraße ${n}, Köln` }));
      await Promise.all(replicas.flatMap((replica) => addresses.map((a) => replica.geocode(a))));
      expect(fake.requests).toHaveLength(6);
      const at = fake.requests.map((r) => r.at).sort((a, b) => a - b);
      const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
      // The slots are 200 ms apart on Redis' clock; each request then still crosses a busy event
      // loop to reach the server, so single gaps jitter while the whole run cannot be shorter.
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(120);
      expect((at[5] ?? 0) - (at[0] ?? 0)).toBeGreaterThanOrEqual(5 * 200 - 50);
    } finally {
      await Promise.all(replicas.map((replica) => replica.onApplicationShutdown()));
    }
  });

  it('GEOCODER_RATE_SCOPE=redis without Redis: limits per process and says so once', async () => {
    fake.reply = () => ({ body: [] });
    const log = recordingLog();
    const geocoder = await make(
      'nominatim',
      {
        GEOCODER_RATE_SCOPE: 'redis',
        REDIS_URL: 'redis://127.0.0.1:1',
        GEOCODER_RATE_PER_SECOND: 5,
        GEOCODER_CACHE_TTL: 0,
      },
      log,
    );
    try {
      await Promise.all(
        [1, 2].map((n) => geocoder.geocode({ countryCode: 'DE', singleLine: `Domplatz ${n}, Köln` })),
      );
      expect(fake.requests).toHaveLength(2);
      expect((fake.requests[1]?.at ?? 0) - (fake.requests[0]?.at ?? 0)).toBeGreaterThanOrEqual(180);
      expect(log.lines.filter((l) => l.includes('Redis unavailable'))).toHaveLength(1);
    } finally {
      await geocoder.onApplicationShutdown().catch(() => undefined);
    }
  });

  it('falls back to the offline geocoder on a timeout and on a 500, counting both', async () => {
    const log = recordingLog();
    const geocoder = await make('nominatim', { GEOCODER_TIMEOUT: 300, GEOCODER_CACHE_TTL: 0 }, log);
    const timeoutsBefore = await metricValue('duemap_geocoder_requests_total', {
      provider: 'nominatim',
      outcome: 'timeout',
    });

    fake.reply = () => ({ body: NOMINATIM_ADLON, delayMs: 5_000 });
    const started = performance.now();
    const slow = await geocoder.geocode({
      countryCode: 'DE',
      city: 'Hamburg',
      streetLines: ['Jungfernstieg 1'],
    });
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(slow).toMatchObject({ precision: 'city', source: 'geonames', normalized: { city: 'Hamburg' } });

    fake.reply = () => ({ status: 500 });
    const broken = await geocoder.geocode({
      countryCode: 'FR',
      city: 'Lyon',
      streetLines: ['1 Place Bellecour'],
    });
    expect(broken).toMatchObject({ precision: 'city', source: 'geonames', normalized: { city: 'Lyon' } });

    expect(fake.requests).toHaveLength(2);
    expect(
      await metricValue('duemap_geocoder_requests_total', { provider: 'nominatim', outcome: 'timeout' }),
    ).toBe(timeoutsBefore + 1);
    expect(
      await metricValue('duemap_geocoder_errors_total', { provider: 'nominatim', reason: 'http_500' }),
    ).toBeGreaterThanOrEqual(1);
    expect(log.lines.filter((l) => l.includes('online geocoder failed'))).toEqual([
      expect.stringContaining('"reason":"timeout"'),
      expect.stringContaining('"reason":"http_500"'),
    ]);
    // Latency is on /metrics per provider.
    const metrics = await register.metrics();
    expect(metrics).toContain('duemap_geocoder_request_seconds_bucket{le="0.5",provider="nominatim"}');
  });

  it('amap: sends the key, converts GCJ-02, keeps the adcode, caches nothing, and never logs the key', async () => {
    const key = 'amap-key-3f9a1c0e7b';
    const log = recordingLog();
    const geocoder = await make('amap', { GEOCODER_KEY: key }, log);
    fake.reply = () => ({ body: AMAP_FUTONG });
    const address = { countryCode: 'CN', singleLine: '北京市朝阳区阜通东大街6号' };
    const result = await geocoder.geocode(address);
    const [lng, lat] = gcjToWgs(116.483038, 39.990633);
    expect(result).toMatchObject({
      lat,
      lng,
      precision: 'rooftop',
      normalized: { countryCode: 'CN', region: { code: '22' }, district: { code: '110105', name: '朝阳区' } },
    });
    expect(fake.requests[0]?.path).toBe('/v3/geocode/geo');
    expect(fake.requests[0]?.query.get('key')).toBe(key);
    await geocoder.geocode(address);
    expect(fake.requests).toHaveLength(2); // Amap's terms: no cache
    const rows = await dataSource.query<{ n: string }[]>(
      `SELECT count(*)::text AS n FROM geocode_cache WHERE provider = 'amap'`,
    );
    expect(rows[0]?.n).toBe('0');

    // A refused key and a 500 are logged with the URL, never with the key.
    fake.reply = () => ({ body: AMAP_INVALID_KEY });
    const refused = await geocoder.geocode(address);
    expect(refused).toMatchObject({ precision: 'district', source: 'gb2260-divisions' });
    fake.reply = () => ({ status: 500 });
    await geocoder.geocode(address);
    expect(log.lines.some((l) => l.includes('status_10001'))).toBe(true);
    expect(log.lines.some((l) => l.includes('"key":"set"'))).toBe(true);
    expect(log.lines.length).toBeGreaterThanOrEqual(5);
    for (const line of log.lines) expect(line).not.toContain(key);
  });

  it('baidu: sends the ak, converts BD-09, reads the district offline', async () => {
    const key = 'baidu-ak-77d0e2';
    const log = recordingLog();
    const geocoder = await make('baidu', { GEOCODER_KEY: key }, log);
    fake.reply = () => ({ body: BAIDU_SHANGDI });
    const result = await geocoder.geocode({ singleLine: '北京市海淀区上地十街10号' });
    const [lng, lat] = bdToWgs(116.3076223267197, 40.05682848596073);
    expect(result).toMatchObject({
      lat,
      lng,
      precision: 'rooftop',
      confidence: 1,
      normalized: { countryCode: 'CN', district: { code: '110108' } },
    });
    expect(fake.requests[0]?.path).toBe('/geocoding/v3/');
    expect(fake.requests[0]?.query.get('ak')).toBe(key);
    for (const line of log.lines) expect(line).not.toContain(key);
  });

  it('pelias: sends api_key to /v1/search/structured and keeps its confidence', async () => {
    const geocoder = await make('pelias', { GEOCODER_KEY: 'ge-key' });
    fake.reply = () => ({ body: PELIAS_30_W_26TH });
    const result = await geocoder.geocode({
      countryCode: 'US',
      region: 'NY',
      city: 'New York',
      streetLines: ['30 W 26th St'],
    });
    expect(result).toMatchObject({
      precision: 'rooftop',
      confidence: 1,
      normalized: { countryCode: 'US', region: { code: 'NY' } },
    });
    expect(fake.requests[0]?.path).toBe('/v1/search/structured');
    expect(fake.requests[0]?.query.get('api_key')).toBe('ge-key');
    // Written before the answer is returned.
    expect(
      await dataSource.query<unknown[]>(`SELECT 1 FROM geocode_cache WHERE provider = 'pelias'`),
    ).toHaveLength(1);
  });

  it('deletes expired cache rows and never answers from them', async () => {
    fake.reply = () => ({ body: NOMINATIM_ADLON });
    const geocoder = await make('nominatim', { GEOCODER_CACHE_TTL: 60_000 });
    const address = { countryCode: 'DE', singleLine: 'Unter den Linden 77, 10117 Berlin' };
    await geocoder.geocode(address);
    await dataSource.query(
      `UPDATE geocode_cache SET cached_at = now() - interval '2 minutes', expires_at = now() - interval '1 minute'`,
    );
    await geocoder.geocode(address); // the expired row is not used: asked again, row renewed
    expect(fake.requests).toHaveLength(2);
    await dataSource.query(
      `UPDATE geocode_cache SET cached_at = now() - interval '2 minutes', expires_at = now() - interval '1 minute'`,
    );
    expect(await geocoder.purge()).toBeGreaterThanOrEqual(1);
    expect(await dataSource.query(`SELECT 1 FROM geocode_cache`)).toEqual([]);
  });

  it('refuses at boot a provider URL on an internal address unless OUTBOUND_ALLOW_PRIVATE allows it', async () => {
    await expect(make('nominatim', { OUTBOUND_ALLOW_PRIVATE: false })).rejects.toBeInstanceOf(
      OutboundUrlError,
    );
    await expect(
      make('nominatim', { OUTBOUND_ALLOW_PRIVATE: false, OUTBOUND_ALLOW_HOSTS: '127.0.0.1' }),
    ).resolves.toBeDefined();
  });
});
