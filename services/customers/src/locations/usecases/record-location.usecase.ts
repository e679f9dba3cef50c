import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import {
  compareEventPositions,
  GeocodeFailureReason,
  GeocodePrecision,
  type CustomerGeocoded,
  type GeocodeCandidate,
  type GeocodeFailed,
} from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import type { CustomerEntity, StoredCandidate } from '../../customers/customer.entity';
import type { GeocodeFailureReasonName, LocationPrecisionName } from '../../customers/customer-record';
import { isUuid } from '../../customers/usecases/get-customer.usecase';

/** Bounds on what a verdict may make us store: the customer JSON stays small whatever a producer sends. */
export const MAX_CANDIDATES = 20;
const MAX_LABEL = 200;
const MAX_CODE = 32;
const MAX_DETAIL = 1000;

export function precisionName(precision: GeocodePrecision): LocationPrecisionName | null {
  switch (precision) {
    case GeocodePrecision.ROOFTOP:
      return 'rooftop';
    case GeocodePrecision.STREET:
      return 'street';
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
    case GeocodePrecision.NONE:
    case GeocodePrecision.UNSPECIFIED:
      return null;
    default:
      // A value added to the contract after this build: treated like UNSPECIFIED, as the contract asks.
      return null;
  }
}

/** The proto enum's name without its prefix, lower-case, as geocoding's customer_pins keeps it. */
export function failureReasonName(reason: GeocodeFailureReason): GeocodeFailureReasonName {
  switch (reason) {
    case GeocodeFailureReason.NO_MATCH:
      return 'no_match';
    case GeocodeFailureReason.AMBIGUOUS:
      return 'ambiguous';
    case GeocodeFailureReason.INCOMPLETE_ADDRESS:
      return 'incomplete_address';
    case GeocodeFailureReason.PROVIDER_UNAVAILABLE:
      return 'provider_unavailable';
    case GeocodeFailureReason.COUNTRY_ONLY:
      return 'country_only';
    case GeocodeFailureReason.UNSPECIFIED:
      return 'unspecified';
    default:
      // A reason added to the contract after this build: still not located, the reason unknown here.
      return 'unspecified';
  }
}

/**
 * What a candidate's GB/T 2260 code names: the contract's candidates carry label and code only,
 * and a six-digit code says its level itself (440000 a province, 440300 a prefecture city,
 * 440305 a district). Other codes say nothing we can read.
 */
export function candidatePrecision(code: string): StoredCandidate['precision'] {
  if (!/^[1-9][0-9]{5}$/.test(code)) return null;
  if (code.endsWith('0000')) return 'region';
  if (code.endsWith('00')) return 'city';
  return 'district';
}

/** PostgreSQL text and jsonb cannot hold U+0000; a verdict carrying one must not fail forever. */
const storable = (text: string, max: number): string => text.replaceAll('\u0000', '').slice(0, max);

function candidates(list: readonly GeocodeCandidate[]): StoredCandidate[] {
  return list
    .filter((c) => c.label.trim() !== '' || c.code.trim() !== '')
    .slice(0, MAX_CANDIDATES)
    .map((c) => {
      const code = storable(c.code.trim(), MAX_CODE);
      return {
        label: storable(c.label.trim(), MAX_LABEL),
        code: code === '' ? null : code,
        precision: candidatePrecision(code),
      };
    });
}

/** 0 is the contract's "no reading"; a value outside 0..1 is a producer bug, not worth a dead letter. */
function confidence(value: number): number | null {
  return Number.isFinite(value) && value > 0 && value <= 1 ? value : null;
}

/** The location columns a verdict sets. */
export type Location = Pick<
  CustomerEntity,
  | 'latitude'
  | 'longitude'
  | 'locationPrecision'
  | 'locationSource'
  | 'locationState'
  | 'locationFailureReason'
  | 'locationFailureDetail'
  | 'locationWillRetry'
  | 'locationCandidates'
  | 'locationConfidence'
>;

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

const NOT_LOCATED = { latitude: null, longitude: null, locationState: 'not_located' } as const;

/**
 * customer-geocoded sets the location; coordinates outside WGS 84 can never apply (DLQ). The
 * contract counts a country centre (and NONE) as not located, as the map does (no pin): such a
 * verdict withdraws the point like a geocode-failed would.
 */
export function geocodedReport(event: CustomerGeocoded): LocationReport {
  const { latitude, longitude } = event;
  if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
    throw new FatalEventError(`location ${latitude},${longitude} is outside WGS 84 bounds`, 'INVALID_EVENT');
  }
  const precision = precisionName(event.precision);
  const source = event.source === '' ? null : storable(event.source, MAX_LABEL);
  const common = {
    locationPrecision: precision,
    locationSource: source,
    locationWillRetry: null,
    locationCandidates: [],
    locationConfidence: null,
  };
  const notPinned = event.precision === GeocodePrecision.COUNTRY || event.precision === GeocodePrecision.NONE;
  return {
    customerId: event.customerId,
    version: event.geocodeVersion,
    occurredAt: occurred(event),
    location: notPinned
      ? {
          ...common,
          ...NOT_LOCATED,
          locationFailureReason: precision === 'country' ? 'country_only' : 'no_match',
          locationFailureDetail:
            precision === 'country'
              ? 'only the country was located; a country centre is no place to visit'
              : 'geocoding located nothing',
        }
      : {
          ...common,
          latitude,
          longitude,
          locationState: 'located',
          locationFailureReason: null,
          locationFailureDetail: null,
        },
  };
}

/** geocode-failed withdraws the location and says why, so the customer JSON can. */
export function failedReport(event: GeocodeFailed): LocationReport {
  const detail = storable(event.detail.trim(), MAX_DETAIL);
  return {
    customerId: event.customerId,
    version: event.geocodeVersion,
    occurredAt: occurred(event),
    location: {
      ...NOT_LOCATED,
      locationPrecision: null,
      locationSource: null,
      locationFailureReason: failureReasonName(event.reason),
      locationFailureDetail: detail === '' ? null : detail,
      locationWillRetry: event.willRetry,
      locationCandidates: candidates(event.candidates),
      locationConfidence: confidence(event.confidence),
    },
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
 * geocode-failed withdraws it and keeps why (reason, detail, candidates, confidence). A report
 * older than the last one applied (by geocode version, else by occurred_at) is ignored; customers
 * we do not know are skipped. A batch of reports is one statement.
 */
@Injectable()
export class RecordLocationUseCase {
  /** Applies the reports as if one by one in this order; returns how many customers changed. */
  async execute(reports: readonly LocationReport[], em: EntityManager): Promise<number> {
    const winners = lastReports(reports);
    if (winners.length === 0) return 0;
    const column = <T>(pick: (l: Location) => T): T[] => winners.map((r) => pick(r.location));
    // The rows are locked in id order first, so two transactions cannot deadlock on them.
    const [, changed]: [unknown, number] = await em.query(
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::float8[], $3::float8[], $4::text[], $5::text[], $6::bigint[],
                              $7::timestamptz[], $9::text[], $10::text[], $11::text[], $12::boolean[],
                              $13::text[], $14::float8[])
                AS v(id, latitude, longitude, precision, source, version, occurred_at,
                     state, reason, detail, will_retry, candidates, confidence)
       ),
       locked AS MATERIALIZED (
         SELECT id FROM customers WHERE id IN (SELECT id FROM v) ORDER BY id FOR UPDATE
       )
       UPDATE customers c
          SET latitude = v.latitude, longitude = v.longitude, location_precision = v.precision,
              location_source = v.source, location_version = v.version, location_occurred_at = v.occurred_at,
              location_state = v.state, location_failure_reason = v.reason,
              location_failure_detail = v.detail, location_will_retry = v.will_retry,
              location_candidates = v.candidates::jsonb, location_confidence = v.confidence,
              updated_at = $8
         FROM v JOIN locked USING (id)
        WHERE c.id = v.id
          AND event_not_older(v.version, v.occurred_at, c.location_version, c.location_occurred_at)`,
      [
        winners.map((r) => r.customerId),
        column((l) => l.latitude),
        column((l) => l.longitude),
        column((l) => l.locationPrecision),
        column((l) => l.locationSource),
        winners.map((r) => r.version.toString()),
        winners.map((r) => r.occurredAt),
        new Date(),
        column((l) => l.locationState),
        column((l) => l.locationFailureReason),
        column((l) => l.locationFailureDetail),
        column((l) => l.locationWillRetry),
        column((l) => JSON.stringify(l.locationCandidates)),
        column((l) => l.locationConfidence),
      ],
    );
    return changed;
  }
}
