import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  compareEventPositions,
  GeocodePrecision,
  type CustomerGeocoded,
  type GeocodeFailed,
} from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import { CustomerEntity } from '../../customers/customer.entity';
import type { LocationPrecisionName } from '../../customers/customer-record';
import { isUuid } from '../../customers/usecases/get-customer.usecase';

export function precisionName(precision: GeocodePrecision): LocationPrecisionName | null {
  switch (precision) {
    case GeocodePrecision.ROOFTOP:
      return 'rooftop';
    case GeocodePrecision.POSTCODE:
      return 'postcode';
    case GeocodePrecision.DISTRICT:
      return 'district';
    case GeocodePrecision.CITY:
      return 'city';
    case GeocodePrecision.REGION:
      return 'region';
    case GeocodePrecision.COUNTRY:
      return 'country';
    case GeocodePrecision.UNSPECIFIED:
      return null;
    default:
      // A value added to the contract after this build: treated like UNSPECIFIED, as the contract asks.
      return null;
  }
}

type Location = Pick<CustomerEntity, 'latitude' | 'longitude' | 'locationPrecision' | 'locationSource'>;

/** What one of geocoding's verdicts says about a customer's location. */
export interface LocationReport {
  customerId: string;
  /** geocode_version of the verdict; 0 from a producer that predates versions. */
  version: bigint;
  occurredAt: Date;
  location: Location;
}

function occurred(event: CustomerGeocoded | GeocodeFailed): Date {
  if (event.occurredAt === undefined) throw new FatalEventError('event has no occurred_at', 'INVALID_EVENT');
  return timestampDate(event.occurredAt);
}

/** customer-geocoded sets the location; coordinates outside WGS 84 can never apply (DLQ). */
export function geocodedReport(event: CustomerGeocoded): LocationReport {
  const { latitude, longitude } = event;
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
    throw new FatalEventError(`location ${latitude},${longitude} is outside WGS 84 bounds`, 'INVALID_EVENT');
  }
  return {
    customerId: event.customerId,
    version: event.geocodeVersion,
    occurredAt: occurred(event),
    location: {
      latitude,
      longitude,
      locationPrecision: precisionName(event.precision),
      locationSource: event.source === '' ? null : event.source,
    },
  };
}

/** geocode-failed withdraws the location. */
export function failedReport(event: GeocodeFailed): LocationReport {
  return {
    customerId: event.customerId,
    version: event.geocodeVersion,
    occurredAt: occurred(event),
    location: { latitude: null, longitude: null, locationPrecision: null, locationSource: null },
  };
}

/**
 * Of one customer's reports in arrival order, the one whose effect remains after applying them one
 * by one: a report older than the last one applied (by geocode version, else by occurred_at) is
 * ignored (a tie applies), so the last of the newest ones. Whether it applies at all depends on
 * what the row holds, which the UPDATE checks. While reports with and without a version meet, the
 * rule is not a total order and the winner can differ from one-by-one application; geocoding
 * stamps every verdict with a version, so that lasts only as long as its upgrade.
 */
export function lastReports(reports: readonly LocationReport[]): LocationReport[] {
  const winners = new Map<string, LocationReport>();
  for (const report of reports) {
    if (!isUuid(report.customerId)) continue;
    const id = report.customerId.toLowerCase();
    const best = winners.get(id);
    if (best === undefined || compareEventPositions(report, best) >= 0) {
      winners.set(id, { ...report, customerId: id });
    }
  }
  return [...winners.values()].sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
}

/**
 * Keeps the customer's location as geocoding last reported it: customer-geocoded sets it,
 * geocode-failed withdraws it. A report older than the last one applied (by geocode version, else
 * by occurred_at) is ignored; customers we do not know are skipped. A batch of reports is one
 * statement.
 */
@Injectable()
export class RecordLocationUseCase {
  /** Applies the reports as if one by one in this order; returns how many customers changed. */
  async execute(reports: readonly LocationReport[], em: EntityManager): Promise<number> {
    const winners = lastReports(reports);
    if (winners.length === 0) return 0;
    // The rows are locked in id order first, so two transactions cannot deadlock on them.
    const [, changed]: [unknown, number] = await em.query(
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::float8[], $3::float8[], $4::text[], $5::text[], $6::bigint[],
                              $7::timestamptz[])
                AS v(id, latitude, longitude, precision, source, version, occurred_at)
       ),
       locked AS MATERIALIZED (
         SELECT id FROM customers WHERE id IN (SELECT id FROM v) ORDER BY id FOR UPDATE
       )
       UPDATE customers c
          SET latitude = v.latitude, longitude = v.longitude, location_precision = v.precision,
              location_source = v.source, location_version = v.version, location_occurred_at = v.occurred_at,
              updated_at = $8
         FROM v JOIN locked USING (id)
        WHERE c.id = v.id
          AND event_not_older(v.version, v.occurred_at, c.location_version, c.location_occurred_at)`,
      [
        winners.map((r) => r.customerId),
        winners.map((r) => r.location.latitude),
        winners.map((r) => r.location.longitude),
        winners.map((r) => r.location.locationPrecision),
        winners.map((r) => r.location.locationSource),
        winners.map((r) => r.version.toString()),
        winners.map((r) => r.occurredAt),
        new Date(),
      ],
    );
    return changed;
  }
}
