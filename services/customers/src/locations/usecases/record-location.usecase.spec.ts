import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  compareEventPositions,
  CustomerGeocodedSchema,
  GeocodeFailedSchema,
  GeocodeFailureReason,
  GeocodePrecision,
} from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import fc from 'fast-check';
import {
  candidatePrecision,
  failedReport,
  failureReasonName,
  geocodedReport,
  lastReports,
  MAX_CANDIDATES,
  precisionName,
  type Location,
  type LocationReport,
} from './record-location.usecase';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'BBBBBBBB-BBBB-4BBB-8BBB-BBBBBBBBBBBB';
const base = Date.parse('2025-03-31T10:00:00Z');

interface Stored {
  version: bigint;
  at: number | null;
  latitude: number | null;
}

/** The stored location after applying reports one by one, as a row with the UPDATE's guard does. */
function oneByOne(start: Stored, reports: readonly LocationReport[]): Stored {
  let row = start;
  for (const r of reports) {
    const held = { version: row.version, occurredAt: new Date(row.at ?? 0) };
    if (row.at === null || compareEventPositions(r, held) >= 0) {
      row = { version: r.version, at: r.occurredAt.getTime(), latitude: r.location.latitude };
    }
  }
  return row;
}

/** A report's location with only a latitude that matters (null: not located). */
function pointAt(latitude: number | null): Location {
  return {
    latitude,
    longitude: latitude === null ? null : 1,
    locationPrecision: latitude === null ? null : 'city',
    locationSource: null,
    locationState: latitude === null ? 'not_located' : 'located',
    locationFailureReason: latitude === null ? 'no_match' : null,
    locationFailureDetail: null,
    locationWillRetry: null,
    locationCandidates: [],
    locationConfidence: null,
  };
}

// Versions 1-3 with clocks that disagree with them, or (as before versions) none at all.
const versioned = fc.boolean();
const report = (withVersions: boolean): fc.Arbitrary<LocationReport> =>
  fc.record({
    customerId: fc.constantFrom(A, B, B.toLowerCase(), 'not-ours'),
    version: withVersions ? fc.bigInt({ min: 1n, max: 3n }) : fc.constant(0n),
    occurredAt: fc.integer({ min: 0, max: 3 }).map((m) => new Date(base + m * 60_000)),
    location: fc.option(fc.integer({ min: -90, max: 90 }), { nil: null }).map(pointAt),
  });

describe('lastReports', () => {
  it('leaves, with the UPDATE guard, what applying the reports one by one leaves', () => {
    fc.assert(
      fc.property(
        versioned.chain((withVersions) =>
          fc.tuple(
            fc.array(report(withVersions), { maxLength: 10 }),
            fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
            withVersions ? fc.bigInt({ min: 1n, max: 3n }) : fc.constant(0n),
          ),
        ),
        ([reports, storedMinute, storedVersion]) => {
          const start: Stored = {
            version: storedVersion,
            at: storedMinute === null ? null : base + storedMinute * 60_000,
            latitude: 1,
          };
          const winners = lastReports(reports);
          for (const id of [A, B.toLowerCase()]) {
            const mine = reports.filter((r) => r.customerId.toLowerCase() === id);
            const winner = winners.filter((w) => w.customerId === id);
            expect(oneByOne(start, winner)).toEqual(oneByOne(start, mine));
          }
          expect(winners.map((w) => w.customerId)).toEqual(
            [...new Set(winners.map((w) => w.customerId))].sort(),
          );
          expect(winners.some((w) => w.customerId === 'not-ours')).toBe(false);
        },
      ),
    );
  });
});

describe('lastReports with versions', () => {
  it('keeps the highest geocode version, whatever the clocks that stamped the reports said', () => {
    const at = (minute: number) => new Date(base + minute * 60_000);
    const located = (version: bigint, minute: number, latitude: number): LocationReport => ({
      customerId: A,
      version,
      occurredAt: at(minute),
      location: pointAt(latitude),
    });
    const [winner] = lastReports([located(1n, 5, 10), located(3n, 1, 30), located(2n, 9, 20)]);
    expect(winner?.location.latitude).toBe(30);
  });
});

describe('location reports', () => {
  const occurredAt = timestampFromDate(new Date(base));

  it('reads customer-geocoded and geocode-failed', () => {
    const geocoded = create(CustomerGeocodedSchema, {
      customerId: A,
      occurredAt,
      latitude: 22.5,
      longitude: 113.9,
      precision: GeocodePrecision.DISTRICT,
      source: '',
    });
    expect(geocodedReport({ ...geocoded, geocodeVersion: 4n })).toEqual({
      customerId: A,
      version: 4n,
      occurredAt: new Date(base),
      location: {
        latitude: 22.5,
        longitude: 113.9,
        locationPrecision: 'district',
        locationSource: null,
        locationState: 'located',
        locationFailureReason: null,
        locationFailureDetail: null,
        locationWillRetry: null,
        locationCandidates: [],
        locationConfidence: null,
      },
    });
    expect(failedReport(create(GeocodeFailedSchema, { customerId: A, occurredAt })).location).toEqual({
      latitude: null,
      longitude: null,
      locationPrecision: null,
      locationSource: null,
      locationState: 'not_located',
      locationFailureReason: 'unspecified',
      locationFailureDetail: null,
      locationWillRetry: false,
      locationCandidates: [],
      locationConfidence: null,
    });
  });

  it('keeps why an address could not be located: reason, detail, retry, candidates, confidence', () => {
    const failed = create(GeocodeFailedSchema, {
      customerId: A,
      occurredAt,
      reason: GeocodeFailureReason.AMBIGUOUS,
      detail: ' the address may mean any of: 北京市朝阳区, 长春市朝阳区 ',
      willRetry: false,
      candidates: [
        { label: '北京市朝阳区', code: '110105' },
        { label: '长春市朝阳区', code: '220104' },
        { label: '吉林省', code: '220000' },
        { label: '长春市', code: '220100' },
        { label: 'Springfield', code: '' },
        { label: ' ', code: '' },
      ],
      confidence: 0.45,
    });
    expect(failedReport(failed).location).toEqual({
      latitude: null,
      longitude: null,
      locationPrecision: null,
      locationSource: null,
      locationState: 'not_located',
      locationFailureReason: 'ambiguous',
      locationFailureDetail: 'the address may mean any of: 北京市朝阳区, 长春市朝阳区',
      locationWillRetry: false,
      locationCandidates: [
        { label: '北京市朝阳区', code: '110105', precision: 'district' },
        { label: '长春市朝阳区', code: '220104', precision: 'district' },
        { label: '吉林省', code: '220000', precision: 'region' },
        { label: '长春市', code: '220100', precision: 'city' },
        { label: 'Springfield', code: null, precision: null },
      ],
      locationConfidence: 0.45,
    });
  });

  it('stores what PostgreSQL can hold and no more: no NUL, bounded candidates, confidence 0..1 or null', () => {
    const failed = create(GeocodeFailedSchema, {
      customerId: A,
      occurredAt,
      reason: GeocodeFailureReason.PROVIDER_UNAVAILABLE,
      detail: 'timed\u0000 out' + 'x'.repeat(5000),
      willRetry: true,
      candidates: Array.from({ length: 500 }, (_, i) => ({ label: `place\u0000${i}`, code: `9${i}` })),
      confidence: 7,
    });
    const { location } = failedReport(failed);
    expect(location.locationFailureReason).toBe('provider_unavailable');
    expect(location.locationWillRetry).toBe(true);
    expect(location.locationFailureDetail?.startsWith('timed out')).toBe(true);
    expect(location.locationFailureDetail?.length).toBeLessThanOrEqual(1000);
    expect(location.locationCandidates).toHaveLength(MAX_CANDIDATES);
    expect(location.locationCandidates[0]).toEqual({ label: 'place0', code: '90', precision: null });
    expect(location.locationConfidence).toBeNull();
    for (const bad of [0, -0.1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(
        failedReport(create(GeocodeFailedSchema, { ...failed, confidence: bad })).location.locationConfidence,
      ).toBeNull();
    }
    expect(
      failedReport(create(GeocodeFailedSchema, { ...failed, confidence: 1 })).location.locationConfidence,
    ).toBe(1);
  });

  it('a country centre or NONE in customer-geocoded is not located, as the contract and the map say', () => {
    const at = (precision: GeocodePrecision) =>
      geocodedReport(
        create(CustomerGeocodedSchema, {
          customerId: A,
          occurredAt,
          latitude: 35,
          longitude: 103,
          precision,
        }),
      ).location;
    expect(at(GeocodePrecision.COUNTRY)).toMatchObject({
      latitude: null,
      longitude: null,
      locationState: 'not_located',
      locationPrecision: 'country',
      locationFailureReason: 'country_only',
    });
    expect(at(GeocodePrecision.NONE)).toMatchObject({
      latitude: null,
      locationState: 'not_located',
      locationPrecision: null,
      locationFailureReason: 'no_match',
    });
    expect(at(GeocodePrecision.STREET)).toMatchObject({
      latitude: 35,
      longitude: 103,
      locationState: 'located',
      locationPrecision: 'street',
    });
  });

  it('refuses coordinates outside WGS 84 and an event without occurred_at', () => {
    expect(() =>
      geocodedReport(
        create(CustomerGeocodedSchema, { customerId: A, occurredAt, latitude: 91, longitude: 0 }),
      ),
    ).toThrow(FatalEventError);
    expect(() => failedReport(create(GeocodeFailedSchema, { customerId: A }))).toThrow(FatalEventError);
  });
});

describe('enum names', () => {
  it('names every precision, STREET included; NONE and UNSPECIFIED are none', () => {
    expect(
      [
        GeocodePrecision.ROOFTOP,
        GeocodePrecision.STREET,
        GeocodePrecision.POSTCODE,
        GeocodePrecision.DISTRICT,
        GeocodePrecision.CITY,
        GeocodePrecision.REGION,
        GeocodePrecision.COUNTRY,
        GeocodePrecision.NONE,
        GeocodePrecision.UNSPECIFIED,
        99 as GeocodePrecision,
      ].map(precisionName),
    ).toEqual(['rooftop', 'street', 'postcode', 'district', 'city', 'region', 'country', null, null, null]);
  });

  it('names every failure reason like the proto, lower-case; an unknown one is unspecified', () => {
    for (const [name, value] of Object.entries(GeocodeFailureReason)) {
      if (typeof value !== 'number') continue;
      expect(failureReasonName(value)).toBe(name.toLowerCase());
    }
    expect(failureReasonName(99 as GeocodeFailureReason)).toBe('unspecified');
  });

  it('reads the level of a GB/T 2260 code, and nothing from other codes', () => {
    expect(['440000', '440300', '440305', '', '44030', 'CN-GD', '040305'].map(candidatePrecision)).toEqual([
      'region',
      'city',
      'district',
      null,
      null,
      null,
      null,
    ]);
  });
});
