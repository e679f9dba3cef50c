import { timestampDate } from '@bufbuild/protobuf/wkt';
import { create } from '@bufbuild/protobuf';
import { GeocodeFailureReason, GeocodePrecision, PostalAddressSchema, Topic } from '@duemap/events';
import type { OutboxWriter } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { GeocodeResult, GeocodingProvider } from '../../geocoder/geocoding-provider';
import type { PinLocationState, PinRepository } from '../pin.repository';
import { LocateCustomerUseCase } from './locate-customer.usecase';

const em = {} as EntityManager;
const customerId = 'c-1';
const occurredAt = new Date('2026-01-10T10:00:00Z');
const address = create(PostalAddressSchema, { countryCode: 'CN', region: '广东省', city: '深圳市' });
const shenzhen: GeocodeResult = {
  lat: 22.5,
  lng: 114.1,
  precision: 'city',
  source: 'geonames',
  normalized: { countryCode: 'CN', region: { code: '30', name: '广东省' }, city: 'Shenzhen' },
};

/** A pin that has never been located. */
const NONE: PinLocationState = { location: null, addressHash: null, geocodeVersion: 0n };

function setup(current: PinLocationState, result: GeocodeResult | null) {
  const pins = {
    lockLocation: jest.fn().mockResolvedValue(current),
    saveLocation: jest.fn().mockResolvedValue(undefined),
    touchLocation: jest.fn().mockResolvedValue(undefined),
  };
  const geocoder: GeocodingProvider = { name: 'fake', geocode: jest.fn().mockResolvedValue(result) };
  const outbox = { append: jest.fn().mockResolvedValue('event-id') };
  const useCase = new LocateCustomerUseCase(
    geocoder,
    pins as unknown as PinRepository,
    outbox as unknown as OutboxWriter,
  );
  return { useCase, pins, geocoder, outbox };
}

describe('LocateCustomerUseCase', () => {
  it('stores the location and announces customer-geocoded', async () => {
    const { useCase, pins, outbox } = setup(NONE, shenzhen);
    await expect(
      useCase.execute({ customerId, version: 1n, occurredAt, name: 'ACME', address }, em),
    ).resolves.toBe('located');

    expect(pins.lockLocation).toHaveBeenCalledWith(em, customerId, { name: 'ACME', version: 1n, occurredAt });
    expect(pins.saveLocation).toHaveBeenCalledWith(
      em,
      customerId,
      expect.objectContaining({
        state: 'located',
        location: { lat: 22.5, lng: 114.1, precision: 'city', source: 'geonames' },
        countryCode: 'CN',
        regionCode: '30',
        regionName: '广东省',
        city: 'Shenzhen',
        version: 1n,
        occurredAt,
        geocodeVersion: 1n,
      }),
    );
    const [, appended] = outbox.append.mock.calls[0] as [
      unknown,
      { topic: { name: string }; key: string; event: Record<string, unknown> },
    ];
    expect(appended.topic.name).toBe(Topic.CustomerGeocoded);
    expect(appended.key).toBe(customerId);
    expect(appended.event).toMatchObject({
      customerId,
      latitude: 22.5,
      longitude: 114.1,
      precision: GeocodePrecision.CITY,
      source: 'geonames',
      normalizedAddress: { countryCode: 'CN', region: '广东省', city: 'Shenzhen' },
      geocodeVersion: 1n,
    });
  });

  it('records a failure without location and announces geocode-failed with the reason', async () => {
    const { useCase, pins, outbox } = setup(NONE, null);
    const unknown = create(PostalAddressSchema, { countryCode: 'XX', city: 'Atlantis' });
    await expect(
      useCase.execute({ customerId, version: 1n, occurredAt, address: unknown }, em),
    ).resolves.toBe('failed');

    expect(pins.lockLocation).toHaveBeenCalledWith(em, customerId, undefined);
    expect(pins.saveLocation).toHaveBeenCalledWith(
      em,
      customerId,
      expect.objectContaining({
        state: 'failed',
        failure: 'no_match',
        location: null,
        countryCode: 'XX',
        city: 'Atlantis',
      }),
    );
    const [, appended] = outbox.append.mock.calls[0] as [
      unknown,
      { topic: { name: string }; event: Record<string, unknown> },
    ];
    expect(appended.topic.name).toBe(Topic.GeocodeFailed);
    expect(appended.event).toMatchObject({
      reason: GeocodeFailureReason.NO_MATCH,
      willRetry: false,
      address: unknown,
      geocodeVersion: 1n,
    });
  });

  it('gives no pin for a country centre: not located, COUNTRY_ONLY', async () => {
    const china: GeocodeResult = {
      lat: 35,
      lng: 105,
      precision: 'country',
      source: 'world-countries',
      confidence: 0.2,
      normalized: { countryCode: 'CN' },
    };
    const { useCase, pins, outbox } = setup(NONE, china);
    const garbage = create(PostalAddressSchema, { countryCode: 'CN', singleLine: 'asdfgh' });
    await expect(
      useCase.execute({ customerId, version: 1n, occurredAt, address: garbage }, em),
    ).resolves.toBe('failed');
    expect(pins.saveLocation).toHaveBeenCalledWith(
      em,
      customerId,
      expect.objectContaining({
        state: 'failed',
        failure: 'country_only',
        location: null,
        countryCode: 'CN',
      }),
    );
    const [, appended] = outbox.append.mock.calls[0] as [
      unknown,
      { topic: { name: string }; event: Record<string, unknown> },
    ];
    expect(appended.topic.name).toBe(Topic.GeocodeFailed);
    expect(appended.event).toMatchObject({
      reason: GeocodeFailureReason.COUNTRY_ONLY,
      confidence: 0.2,
      willRetry: false,
    });
  });

  it('gives no pin for an ambiguous name and names the candidates in geocode-failed', async () => {
    const ambiguous: GeocodeResult = {
      lat: 35,
      lng: 105,
      precision: 'country',
      source: 'world-countries',
      confidence: 0.2,
      candidates: [
        { label: '北京市朝阳区', code: '110105', precision: 'district' },
        { label: '吉林省长春市朝阳区', code: '220104', precision: 'district' },
      ],
      normalized: { countryCode: 'CN' },
    };
    const { useCase, pins, outbox } = setup(NONE, ambiguous);
    const chaoyang = create(PostalAddressSchema, { countryCode: 'CN', singleLine: '朝阳区' });
    await useCase.execute({ customerId, version: 1n, occurredAt, address: chaoyang }, em);
    expect(pins.saveLocation).toHaveBeenCalledWith(
      em,
      customerId,
      expect.objectContaining({ state: 'failed', failure: 'ambiguous', location: null }),
    );
    const [, appended] = outbox.append.mock.calls[0] as [unknown, { event: Record<string, unknown> }];
    expect(appended.event).toMatchObject({
      reason: GeocodeFailureReason.AMBIGUOUS,
      candidates: [
        { label: '北京市朝阳区', code: '110105' },
        { label: '吉林省长春市朝阳区', code: '220104' },
      ],
    });
    expect(String(appended.event['detail'])).toContain('北京市朝阳区');
  });

  it('pins a district with its precision', async () => {
    const nanshan: GeocodeResult = {
      lat: 22.536,
      lng: 113.926,
      precision: 'district',
      source: 'gb2260-divisions',
      confidence: 0.95,
      normalized: {
        countryCode: 'CN',
        region: { code: '30', name: '广东省' },
        city: 'Shenzhen',
        district: { code: '440305', name: '南山区' },
      },
    };
    const { useCase, outbox, pins } = setup(NONE, nanshan);
    await expect(useCase.execute({ customerId, version: 1n, occurredAt, address }, em)).resolves.toBe(
      'located',
    );
    expect(pins.saveLocation).toHaveBeenCalledWith(
      em,
      customerId,
      expect.objectContaining({ districtCode: '440305', districtName: '南山区' }),
    );
    const [, appended] = outbox.append.mock.calls[0] as [unknown, { event: Record<string, unknown> }];
    expect(appended.event).toMatchObject({
      precision: GeocodePrecision.DISTRICT,
      source: 'gb2260-divisions',
    });
  });

  it('calls a missing address incomplete', async () => {
    const { useCase, outbox } = setup(NONE, null);
    await useCase.execute({ customerId, version: 1n, occurredAt, address: undefined }, em);
    const [, appended] = outbox.append.mock.calls[0] as [unknown, { event: Record<string, unknown> }];
    expect(appended.event).toMatchObject({ reason: GeocodeFailureReason.INCOMPLETE_ADDRESS });
    expect(appended.event).not.toHaveProperty('address');
  });

  it('ignores an address older than the one the pin has, by occurred_at before versions', async () => {
    const { useCase, geocoder, pins, outbox } = setup(
      {
        location: { version: 0n, occurredAt: new Date(occurredAt.getTime() + 1) },
        addressHash: 'x',
        geocodeVersion: 1n,
      },
      shenzhen,
    );
    await expect(useCase.execute({ customerId, version: 2n, occurredAt, address }, em)).resolves.toBe(
      'stale',
    );
    expect(geocoder.geocode).not.toHaveBeenCalled();
    expect(pins.saveLocation).not.toHaveBeenCalled();
    expect(outbox.append).not.toHaveBeenCalled();
  });

  it('orders addresses by customer version, not by the clocks that stamped them', async () => {
    const held: PinLocationState = {
      location: { version: 3n, occurredAt: new Date(occurredAt.getTime() + 600_000) },
      addressHash: 'x',
      geocodeVersion: 5n,
    };
    // A later change of the customer, stamped by an instance whose clock is ten minutes behind.
    const later = setup(held, shenzhen);
    await expect(later.useCase.execute({ customerId, version: 4n, occurredAt, address }, em)).resolves.toBe(
      'located',
    );
    expect(later.pins.saveLocation).toHaveBeenCalledWith(
      em,
      customerId,
      expect.objectContaining({ version: 4n, occurredAt, geocodeVersion: 6n }),
    );
    const [, appended] = later.outbox.append.mock.calls[0] as [unknown, { event: Record<string, unknown> }];
    expect(appended.event).toMatchObject({ customerId, geocodeVersion: 6n });

    // An older change stamped by a clock that is ahead changes nothing.
    const older = setup(held, shenzhen);
    const ahead = new Date(occurredAt.getTime() + 3_600_000);
    await expect(
      older.useCase.execute({ customerId, version: 2n, occurredAt: ahead, address }, em),
    ).resolves.toBe('stale');
    expect(older.geocoder.geocode).not.toHaveBeenCalled();
    expect(older.outbox.append).not.toHaveBeenCalled();
  });

  it('does not geocode or announce the same address twice', async () => {
    const first = setup(NONE, shenzhen);
    await first.useCase.execute({ customerId, version: 1n, occurredAt, address }, em);
    const [[, , saved]] = first.pins.saveLocation.mock.calls as [[unknown, unknown, { addressHash: string }]];

    const later = new Date(occurredAt.getTime() + 60_000);
    const located: PinLocationState = {
      location: { version: 1n, occurredAt },
      addressHash: saved.addressHash,
      geocodeVersion: 1n,
    };
    const again = setup(located, shenzhen);
    await expect(
      again.useCase.execute({ customerId, version: 2n, occurredAt: later, address }, em),
    ).resolves.toBe('unchanged');
    expect(again.geocoder.geocode).not.toHaveBeenCalled();
    expect(again.outbox.append).not.toHaveBeenCalled();
    expect(again.pins.touchLocation).toHaveBeenCalledWith(em, customerId, { version: 2n, occurredAt: later });

    const moved = create(PostalAddressSchema, { countryCode: 'CN', city: '上海市' });
    const third = setup(located, shenzhen);
    await expect(
      third.useCase.execute({ customerId, version: 2n, occurredAt: later, address: moved }, em),
    ).resolves.toBe('located');
  });

  it('stamps the events with the time of geocoding', async () => {
    const { useCase, outbox } = setup(NONE, shenzhen);
    const before = Date.now();
    await useCase.execute({ customerId, version: 1n, occurredAt, address }, em);
    const [, appended] = outbox.append.mock.calls[0] as [
      unknown,
      { event: { occurredAt: Parameters<typeof timestampDate>[0] } },
    ];
    expect(timestampDate(appended.event.occurredAt).getTime()).toBeGreaterThanOrEqual(before);
  });
});
