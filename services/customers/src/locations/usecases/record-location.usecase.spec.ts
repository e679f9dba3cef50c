import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import {
  compareEventPositions,
  CustomerGeocodedSchema,
  GeocodeFailedSchema,
  GeocodePrecision,
} from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import fc from 'fast-check';
import { failedReport, geocodedReport, lastReports, type LocationReport } from './record-location.usecase';

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

// Versions 1-3 with clocks that disagree with them, or (as before versions) none at all.
const versioned = fc.boolean();
const report = (withVersions: boolean): fc.Arbitrary<LocationReport> =>
  fc.record({
    customerId: fc.constantFrom(A, B, B.toLowerCase(), 'not-ours'),
    version: withVersions ? fc.bigInt({ min: 1n, max: 3n }) : fc.constant(0n),
    occurredAt: fc.integer({ min: 0, max: 3 }).map((m) => new Date(base + m * 60_000)),
    location: fc.record({
      latitude: fc.option(fc.integer({ min: -90, max: 90 }), { nil: null }),
      longitude: fc.constant(null),
      locationPrecision: fc.constant(null),
      locationSource: fc.constant(null),
    }),
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
      location: { latitude, longitude: 1, locationPrecision: 'city', locationSource: null },
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
      location: { latitude: 22.5, longitude: 113.9, locationPrecision: 'district', locationSource: null },
    });
    expect(failedReport(create(GeocodeFailedSchema, { customerId: A, occurredAt })).location).toEqual({
      latitude: null,
      longitude: null,
      locationPrecision: null,
      locationSource: null,
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
