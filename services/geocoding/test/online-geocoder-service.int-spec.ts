import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Topic } from '@duemap/events';
import { startServiceUnderTest, waitFor, type ServiceUnderTest } from '@duemap/testing';
import { AppModule } from '../src/app.module';
import { geocodingConfig, type GeocodingConfig } from '../src/config';
import { dataSourceOptions } from '../src/database/data-source';
import { NOMINATIM_ADLON } from '../src/geocoder/online/fixtures/responses';

/**
 * The service booted with GEOCODER=nominatim against a fake Nominatim on 127.0.0.1: a customer
 * with a street address gets the provider's rooftop pin through LocateCustomer, one whose provider
 * answer fails gets the offline city, and /metrics shows the provider's requests (issue 16).
 */
describe('geocoding service with GEOCODER=nominatim', () => {
  let service: ServiceUnderTest<GeocodingConfig>;
  let server: Server;
  const paths: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      paths.push(`${url.pathname}?street=${url.searchParams.get('street') ?? ''}`);
      const fail = url.searchParams.get('street')?.includes('Broken') === true;
      res.writeHead(fail ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(fail ? { error: 'overloaded' } : NOMINATIM_ADLON));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    service = await startServiceUnderTest({
      service: 'geocoding',
      database: 'geocoding_online_svc',
      schema: geocodingConfig,
      dataSource: dataSourceOptions,
      module: (config, logger) => AppModule.register(config, logger),
      env: {
        GEOCODER: 'nominatim',
        GEOCODER_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        GEOCODER_USER_AGENT: 'duemap-int-spec/1.0 (ops@duemap.example)',
        GEOCODER_RATE_PER_SECOND: '20',
        OUTBOUND_ALLOW_PRIVATE: 'true',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await service?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('pins a street address where the provider says, and falls back offline when it fails', async () => {
    const adlon = randomUUID();
    const broken = randomUUID();
    const occurredAt = timestampFromDate(new Date());
    const upsert = (customerId: string, line1: string) =>
      service.publisher.publish(Topic.CustomerUpserted, {
        customerId,
        occurredAt,
        customerVersion: 1n,
        created: true,
        sources: [{ sourceSystem: 'spec', externalId: customerId }],
        name: `Customer ${customerId.slice(0, 8)}`,
        address: { countryCode: 'DE', city: 'Berlin', postalCode: '10117', streetLines: [line1] },
        timeZone: 'Europe/Berlin',
      });
    await service.handled(
      await upsert(adlon, 'Unter den Linden 77'),
      await upsert(broken, 'Broken Street 1'),
    );

    const pins = await waitFor('both customers geocoded', async () => {
      const { rows } = await service.sql.query<{
        customer_id: string;
        geocode_precision: string;
        geocode_source: string;
        lat: number;
        region_code: string | null;
      }>(
        `SELECT customer_id, geocode_precision, geocode_source, latitude AS lat, region_code FROM customer_pins
          WHERE customer_id = ANY($1) AND geocode_source IS NOT NULL ORDER BY geocode_precision DESC`,
        [[adlon, broken]],
      );
      return rows.length === 2 ? rows : undefined;
    });
    expect(pins.find((p) => p.customer_id === adlon)).toMatchObject({
      geocode_precision: 'rooftop',
      geocode_source: expect.stringMatching(/^nominatim; Data © OpenStreetMap contributors/) as string,
      lat: 52.5162746,
      region_code: '16',
    });
    expect(pins.find((p) => p.customer_id === broken)).toMatchObject({
      geocode_precision: 'postcode',
      geocode_source: 'zipcodes', // the offline geocoder's GeoNames postcode
    });
    expect(paths).toEqual(
      expect.arrayContaining(['/search?street=Unter den Linden 77', '/search?street=Broken Street 1']),
    );
    const { rows } = await service.sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM geocode_cache`);
    expect(rows[0]?.n).toBe('1');

    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/duemap_geocoder_requests_total\{provider="nominatim",outcome="found"\} [1-9]/);
    expect(metrics).toMatch(/duemap_geocoder_errors_total\{provider="nominatim",reason="http_503"\} [1-9]/);
  });
});
