import { Injectable } from '@nestjs/common';
import { customerTerritoryFilter, positionalBinder, type Territory } from '@duemap/auth';
import { DataSource } from 'typeorm';
import type { PinStatus } from '../map/customer-pin.entity';
import type { Bbox } from '../map/map-query';
import type { BalanceMinor } from '../map/pin.repository';

/** A customer that could be a stop: located (lat/lng) or not (then `failure` says why, if known). */
export interface RouteCandidate {
  customerId: string;
  name: string;
  status: PinStatus;
  lat: number | null;
  lng: number | null;
  geocodeState: 'located' | 'failed' | null;
  failure: string | null;
  balances: BalanceMinor[];
}

export interface CandidateFilter {
  statuses?: readonly PinStatus[];
  bbox?: Bbox;
  countryCode?: string;
  regionCode?: string;
  /** Only customers owing at least this much overdue in this currency (minor units). */
  minOverdue?: { currency: string; minor: bigint };
}

interface Row extends Omit<RouteCandidate, 'balances'> {
  balances: { currency: string; outstanding: string; overdue: string }[];
}

const SELECT = `
  SELECT p.customer_id AS "customerId", p.name, p.status, p.latitude AS lat, p.longitude AS lng,
         p.geocode_state AS "geocodeState", p.geocode_failure AS failure,
         COALESCE(json_agg(json_build_object(
           'currency', b.currency, 'outstanding', b.outstanding_minor::text, 'overdue', b.overdue_minor::text)
           ORDER BY b.currency) FILTER (WHERE b.currency IS NOT NULL), '[]') AS balances
  FROM customer_pins p LEFT JOIN customer_pin_balances b ON b.customer_id = p.customer_id`;

/**
 * Reads the map projection for route planning. Every query is limited to the caller's territory
 * (customer_placements, as the map's), so a collector can never have another territory's customer
 * routed, nor learn that it exists.
 */
@Injectable()
export class RouteCandidatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Those of `ids` that exist and are inside the territory, located or not. */
  async byIds(ids: readonly string[], territory?: Territory): Promise<RouteCandidate[]> {
    const params: unknown[] = [ids];
    const inside = customerTerritoryFilter(territory, 'p.customer_id', positionalBinder(params));
    const rows = await this.dataSource.query<Row[]>(
      `${SELECT} WHERE p.customer_id = ANY($1::text[]) AND ${inside} GROUP BY p.customer_id`,
      params,
    );
    return rows.map(candidateOf);
  }

  /**
   * Customers matching the filter inside the territory: the located ones (at most `max`, so the
   * caller can tell the filter matched more) and the unlocated ones (at most `maxUnlocated`).
   */
  async byFilter(
    filter: CandidateFilter,
    territory: Territory | undefined,
    max: number,
    maxUnlocated: number,
  ): Promise<{ located: RouteCandidate[]; unlocated: RouteCandidate[] }> {
    const located = await this.query(filter, territory, true, max);
    // A box says where a pin is: customers without one cannot be in it.
    const unlocated = filter.bbox ? [] : await this.query(filter, territory, false, maxUnlocated);
    return { located, unlocated };
  }

  private async query(
    filter: CandidateFilter,
    territory: Territory | undefined,
    located: boolean,
    max: number,
  ): Promise<RouteCandidate[]> {
    const params: unknown[] = [];
    const bind = positionalBinder(params);
    const where = [located ? 'p.latitude IS NOT NULL' : 'p.latitude IS NULL'];
    if (filter.statuses) where.push(`p.status = ANY(${bind(filter.statuses)}::text[])`);
    if (filter.countryCode) where.push(`p.country_code = ${bind(filter.countryCode)}`);
    if (filter.regionCode) where.push(`p.region_code = ${bind(filter.regionCode)}`);
    if (filter.bbox) {
      const [minLng, minLat, maxLng, maxLat] = filter.bbox;
      where.push(`p.latitude BETWEEN ${bind(minLat)} AND ${bind(maxLat)}`);
      where.push(
        minLng <= maxLng
          ? `p.longitude BETWEEN ${bind(minLng)} AND ${bind(maxLng)}`
          : `(p.longitude >= ${bind(minLng)} OR p.longitude <= ${bind(maxLng)})`,
      );
    }
    if (filter.minOverdue) {
      where.push(
        `EXISTS (SELECT 1 FROM customer_pin_balances o WHERE o.customer_id = p.customer_id
                 AND o.currency = ${bind(filter.minOverdue.currency)}
                 AND o.overdue_minor >= ${bind(filter.minOverdue.minor.toString())}::bigint)`,
      );
    }
    where.push(customerTerritoryFilter(territory, 'p.customer_id', bind));
    const rows = await this.dataSource.query<Row[]>(
      `${SELECT} WHERE ${where.join(' AND ')} GROUP BY p.customer_id ORDER BY p.customer_id LIMIT ${bind(max)}`,
      params,
    );
    return rows.map(candidateOf);
  }
}

function candidateOf(r: Row): RouteCandidate {
  return {
    ...r,
    balances: r.balances.map((b) => ({
      currency: b.currency,
      outstanding: BigInt(b.outstanding),
      overdue: BigInt(b.overdue),
    })),
  };
}
