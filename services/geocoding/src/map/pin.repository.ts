import { Injectable } from '@nestjs/common';
import { customerTerritoryFilter, positionalBinder, type Territory } from '@duemap/auth';
import type { EventPosition } from '@duemap/events';
import { DataSource, type EntityManager } from 'typeorm';
import type { GeocodePrecision } from '../geocoder/geocoding-provider';
import { GRID_CELL_SHIFT } from './grid';
import type { GeocodeState, PinStatus, PinTier } from './customer-pin.entity';
import { cellRanges, type Bbox, type ListSort, type RegionKey } from './map-query';

export interface PinLocationState {
  /** The customer version and occurred_at of the address event the location is for; null: none yet. */
  location: EventPosition | null;
  addressHash: string | null;
  /** The number of the pin's last verdict (0: none, or only before versions). */
  geocodeVersion: bigint;
}

/**
 * Everything a geocode writes: a location, or none (with the reason) when it failed, for the
 * address event at `version` / `occurredAt`, as verdict number `geocodeVersion`.
 */
export interface LocationUpdate extends EventPosition {
  geocodeVersion: bigint;
  addressHash: string;
  state: GeocodeState;
  failure: string | null;
  location: { lat: number; lng: number; precision: GeocodePrecision; source: string } | null;
  countryCode: string | null;
  regionCode: string | null;
  regionName: string | null;
  city: string | null;
  /** GB/T 2260 district the geocoder resolved (for district roll-ups); null otherwise. */
  districtCode?: string | null;
  districtName?: string | null;
}

export interface BalanceMinor {
  currency: string;
  outstanding: bigint;
  overdue: bigint;
}

export interface LocatedPin {
  customerId: string;
  name: string;
  lat: number;
  lng: number;
  precision: GeocodePrecision;
  source: string;
  status: PinStatus;
  tier: PinTier;
  creditGrade: string | null;
  /** Whole days since the customer became overdue; 0 when it is not. */
  daysOverdue: number;
  balances: BalanceMinor[];
}

export interface PinFilter {
  bbox?: Bbox;
  /** Only the pins of these numbers (customer_pins.pin_no; findLocated only). */
  pinNos?: readonly string[];
  statuses?: readonly PinStatus[];
  tiers?: readonly PinTier[];
  /** Only customers overdue for at least this many days. */
  minOverdueDays?: number;
  /** Only customers of this sales territory (customer_placements). */
  salesTerritory?: string;
  countryCode?: string;
  /** Only customers with one of these credit grades. */
  grades?: readonly string[];
  /** Only customers of this region (country, province or city, as the roll-ups key them). */
  region?: RegionKey;
  /** Only customers with a record in one of these source ERP systems. */
  sources?: readonly string[];
  /** Only customers inside it (customer_placements), pins and aggregates alike; undefined = all. */
  territory?: Territory;
}

/** One customer of the map's list: a pin with where it is and what it owes. */
export interface ListedPin extends LocatedPin {
  regionCode: string | null;
  regionName: string | null;
  city: string | null;
  countryCode: string | null;
  /** days overdue × overdue minor units in the ranking currency (sort=priority); null otherwise. */
  priority: string | null;
}

export interface ListPage {
  sort: ListSort;
  /** The ranking currency of sort=priority. */
  currency: string;
  limit: number;
  /** Exclusive keyset position: the last item of the previous page. */
  after?: { customerId: string; priority?: string };
}

/** The filters the pre-aggregated roll-ups (map_rollup) can apply. */
export type AggregateFilter = Pick<PinFilter, 'countryCode' | 'statuses'>;

export type RollupLevel = 'country' | 'province' | 'city' | 'district';

/** One grid cell's pins at a zoom: counts per status, mean position, sums per currency. */
export interface GridCell {
  cx: number;
  cy: number;
  paid: number;
  unpaid: number;
  overdue: number;
  lat: number;
  lng: number;
  /** A cell of one pin: that pin's number (the cell's sum of them); null for more. */
  pinNo: string | null;
  sums: { currency: string; outstanding: bigint; overdue: bigint }[];
}

export interface RollupCounts {
  countryCode: string;
  regionCode: string | null;
  regionName: string | null;
  /** At city (and district) level: the city name as geocoded; null above. */
  city: string | null;
  /** At district level: GB/T 2260 code and name when the geocoder resolved one; null otherwise. */
  districtCode: string | null;
  districtName: string | null;
  total: number;
  paid: number;
  unpaid: number;
  overdue: number;
  lat: number;
  lng: number;
}

export interface RollupSums {
  countryCode: string;
  regionCode: string | null;
  city: string | null;
  districtCode: string | null;
  currency: string;
  outstanding: bigint;
  overdue: bigint;
}

type SumRow = Omit<RollupSums, 'outstanding' | 'overdue'> & { outstanding: string; overdue: string };

/**
 * Days a customer has been overdue: since its status last turned overdue (customers emits
 * status-changed only on a change, so the overdue status's occurred_at is when it began). That is
 * the day its oldest open invoice fell overdue, unless that one was paid while a younger one was
 * already overdue (then it still counts from the first): no event carries the invoices' due dates.
 */
const DAYS_OVERDUE = `CASE WHEN p.status = 'overdue' AND p.status_occurred_at IS NOT NULL
  THEN greatest(0, floor(extract(epoch FROM now() - p.status_occurred_at) / 86400))::int ELSE 0 END`;

/** The columns a roll-up level groups by (NULL for the finer ones it does not use). */
function rollupGroup(level: RollupLevel): {
  region: string;
  regionName: string;
  city: string;
  district: string;
  districtName: string;
} {
  const none = 'NULL::text';
  const fine = level === 'city' || level === 'district';
  return {
    region: level === 'country' ? none : 'p.region_code',
    regionName: level === 'country' ? none : 'max(p.region_name)',
    city: fine ? 'p.city' : none,
    district: level === 'district' ? 'p.district_code' : none,
    districtName: level === 'district' ? 'max(p.district_name)' : none,
  };
}

interface BalanceJson {
  currency: string;
  outstanding: string;
  overdue: string;
}

// The name guard of customer-upserted: a name as old as the pin's or newer replaces it.
const NAME_IS_NEWER = `event_not_older(EXCLUDED.name_version, EXCLUDED.name_occurred_at, p.name_version, p.name_occurred_at)`;

interface LocationRow {
  location_version: string;
  location_occurred_at: Date | null;
  address_hash: string | null;
  geocode_version: string;
}

/**
 * SQL of the map projection. Writes take the EntityManager of the consumer's inbox transaction;
 * each guarded write is one statement, so concurrent or replayed events cannot interleave.
 */
@Injectable()
export class PinRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Creates the pin if needed, sets the customer's name (unless a newer customer-upserted set it
   * already) and locks the pin until the transaction ends; returns its location state. One
   * statement: the upsert always takes the row (setting the key to itself takes the same lock as
   * SELECT ... FOR UPDATE) so RETURNING has it even when the name is older than the pin's.
   */
  async lockLocation(
    em: EntityManager,
    customerId: string,
    named?: { name: string } & EventPosition,
  ): Promise<PinLocationState> {
    const returning = `RETURNING location_version::text, location_occurred_at, address_hash, geocode_version::text`;
    const rows =
      named === undefined
        ? await em.query<LocationRow[]>(
            `INSERT INTO customer_pins (customer_id) VALUES ($1)
             ON CONFLICT (customer_id) DO UPDATE SET customer_id = EXCLUDED.customer_id
             ${returning}`,
            [customerId],
          )
        : await em.query<LocationRow[]>(
            `INSERT INTO customer_pins AS p (customer_id, name, name_version, name_occurred_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (customer_id) DO UPDATE SET
               customer_id = EXCLUDED.customer_id,
               name = CASE WHEN ${NAME_IS_NEWER} THEN EXCLUDED.name ELSE p.name END,
               name_version = CASE WHEN ${NAME_IS_NEWER} THEN EXCLUDED.name_version ELSE p.name_version END,
               name_occurred_at = CASE WHEN ${NAME_IS_NEWER} THEN EXCLUDED.name_occurred_at
                                       ELSE p.name_occurred_at END,
               updated_at = CASE WHEN ${NAME_IS_NEWER} THEN now() ELSE p.updated_at END
             ${returning}`,
            [customerId, named.name, named.version.toString(), named.occurredAt],
          );
    const [row] = rows;
    if (!row) throw new Error(`customer pin ${customerId} was not returned by its upsert`);
    return {
      location:
        row.location_occurred_at === null
          ? null
          : { version: BigInt(row.location_version), occurredAt: row.location_occurred_at },
      addressHash: row.address_hash,
      geocodeVersion: BigInt(row.geocode_version),
    };
  }

  async saveLocation(em: EntityManager, customerId: string, u: LocationUpdate): Promise<void> {
    await em.query(
      `UPDATE customer_pins SET
         latitude = $2, longitude = $3, geocode_precision = $4, geocode_source = $5,
         geocode_state = $6, geocode_failure = $7, country_code = $8, region_code = $9,
         region_name = $10, city = $11, address_hash = $12, location_version = $13,
         location_occurred_at = $14, geocode_version = $15, district_code = $16, district_name = $17,
         geocoded_at = now(), updated_at = now()
       WHERE customer_id = $1`,
      [
        customerId,
        u.location?.lat ?? null,
        u.location?.lng ?? null,
        u.location?.precision ?? null,
        u.location?.source ?? null,
        u.state,
        u.failure,
        u.countryCode,
        u.regionCode,
        u.regionName,
        u.city,
        u.addressHash,
        u.version.toString(),
        u.occurredAt,
        u.geocodeVersion.toString(),
        u.districtCode ?? null,
        u.districtName ?? null,
      ],
    );
  }

  /** The same address again: nothing to geocode, but later events must not look newer than it. */
  async touchLocation(em: EntityManager, customerId: string, at: EventPosition): Promise<void> {
    await em.query(
      `UPDATE customer_pins SET location_version = $2, location_occurred_at = $3 WHERE customer_id = $1`,
      [customerId, at.version.toString(), at.occurredAt],
    );
  }

  /**
   * Recolours pins, creating those that do not exist yet, unless a newer status was applied (by
   * customer version, else by occurred_at: event_not_older);
   * returns the customers whose pin took the status (the others' event was older). One statement
   * for the batch: at most one change per customer (the caller keeps each customer's newest).
   */
  async applyStatuses(
    em: EntityManager,
    changes: readonly ({ customerId: string; status: PinStatus } & EventPosition)[],
  ): Promise<Set<string>> {
    if (changes.length === 0) return new Set();
    const rows = await em.query<{ customer_id: string }[]>(
      `INSERT INTO customer_pins (customer_id, status, status_version, status_occurred_at, status_applied_at)
       SELECT v.customer_id, v.status, v.version, v.occurred_at, clock_timestamp()
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[]) AS v(customer_id, status, version, occurred_at)
       ON CONFLICT (customer_id) DO UPDATE
         SET status = EXCLUDED.status, status_version = EXCLUDED.status_version,
             status_occurred_at = EXCLUDED.status_occurred_at,
             status_applied_at = CASE WHEN customer_pins.status IS DISTINCT FROM EXCLUDED.status
                                      THEN clock_timestamp() ELSE customer_pins.status_applied_at END,
             updated_at = now()
         WHERE event_not_older(EXCLUDED.status_version, EXCLUDED.status_occurred_at,
                               customer_pins.status_version, customer_pins.status_occurred_at)
       RETURNING customer_id`,
      [
        changes.map((c) => c.customerId),
        changes.map((c) => c.status),
        changes.map((c) => c.version.toString()),
        changes.map((c) => c.occurredAt.toISOString()),
      ],
    );
    return new Set(rows.map((r) => r.customer_id));
  }

  /**
   * Replaces pins' balances unless a newer balance event was applied; returns the customers whose
   * balances were replaced. One statement for the batch (at most one snapshot per customer): the
   * guarded pin upsert returns the pins whose event is not older, and only for those are currencies
   * no longer owed deleted and the others upserted (disjoint rows, so the two need no order between
   * them; the pin a new customer gets here exists for the foreign key, checked at the end of the
   * statement).
   */
  async applyBalanceSnapshots(
    em: EntityManager,
    snapshots: readonly ({ customerId: string; balances: readonly BalanceMinor[] } & EventPosition)[],
  ): Promise<Set<string>> {
    if (snapshots.length === 0) return new Set();
    const owed = snapshots.flatMap((s) => s.balances.map((b) => ({ customerId: s.customerId, ...b })));
    const rows = await em.query<{ customer_id: string }[]>(
      `WITH pin AS (
         INSERT INTO customer_pins (customer_id, balance_version, balance_occurred_at)
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::timestamptz[])
         ON CONFLICT (customer_id) DO UPDATE
           SET balance_version = EXCLUDED.balance_version, balance_occurred_at = EXCLUDED.balance_occurred_at,
               updated_at = now()
           WHERE event_not_older(EXCLUDED.balance_version, EXCLUDED.balance_occurred_at,
                                 customer_pins.balance_version, customer_pins.balance_occurred_at)
         RETURNING customer_id
       ), given AS (
         SELECT * FROM unnest($4::text[], $5::text[], $6::text[], $7::text[]) AS t(customer_id, c, o, d)
       ), dropped AS (
         DELETE FROM customer_pin_balances b USING pin
         WHERE b.customer_id = pin.customer_id
           AND NOT EXISTS (SELECT 1 FROM given g WHERE g.customer_id = b.customer_id AND g.c::bpchar = b.currency)
       ), upserted AS (
         INSERT INTO customer_pin_balances (customer_id, currency, outstanding_minor, overdue_minor)
         SELECT g.customer_id, g.c, g.o::bigint, g.d::bigint
         FROM given g JOIN pin ON pin.customer_id = g.customer_id
         ON CONFLICT (customer_id, currency) DO UPDATE
           SET outstanding_minor = EXCLUDED.outstanding_minor, overdue_minor = EXCLUDED.overdue_minor
       )
       SELECT customer_id FROM pin`,
      [
        snapshots.map((s) => s.customerId),
        snapshots.map((s) => s.version.toString()),
        snapshots.map((s) => s.occurredAt.toISOString()),
        owed.map((b) => b.customerId),
        owed.map((b) => b.currency),
        owed.map((b) => b.outstanding.toString()),
        owed.map((b) => b.overdue.toString()),
      ],
    );
    return new Set(rows.map((r) => r.customer_id));
  }

  /**
   * Pins with a location, with their balances, in customer id order. The balances are looked up
   * per pin found: joined, the planner estimates a box at 1,000 pins whatever its size and hashes
   * every balance of the table (a full scan on each view of 1,000,000 customers).
   */
  async findLocated(filter: PinFilter): Promise<LocatedPin[]> {
    const { where, params } = whereClause(filter);
    const rows = await this.dataSource.query<(Omit<LocatedPin, 'balances'> & { balances: BalanceJson[] })[]>(
      `SELECT p.customer_id AS "customerId", p.name, p.latitude AS lat, p.longitude AS lng,
              p.geocode_precision AS precision, p.geocode_source AS source, p.status, p.tier,
              p.credit_grade AS "creditGrade", ${DAYS_OVERDUE} AS "daysOverdue",
              COALESCE((SELECT json_agg(json_build_object(
                          'currency', b.currency,
                          'outstanding', b.outstanding_minor::text,
                          'overdue', b.overdue_minor::text) ORDER BY b.currency)
                        FROM customer_pin_balances b WHERE b.customer_id = p.customer_id), '[]') AS balances
       FROM customer_pins p
       WHERE ${where}
       ORDER BY p.customer_id`,
      params,
    );
    return rows.map((r) => ({ ...r, balances: r.balances.map(balanceOf) }));
  }

  /**
   * A page of the located customers the filters keep, in customer id order (the primary key walks
   * a wide box without sorting it) or by priority: days overdue × overdue in one currency, highest
   * first (a collector's worklist). Keyset-paged, so a page costs the same wherever it is.
   */
  async listLocated(filter: PinFilter, page: ListPage): Promise<ListedPin[]> {
    const { where, params } = whereClause(filter);
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const byPriority = page.sort === 'priority';
    const priority = byPriority
      ? `((${DAYS_OVERDUE})::numeric * coalesce((SELECT b.overdue_minor FROM customer_pin_balances b
            WHERE b.customer_id = p.customer_id AND b.currency = ${param(page.currency)}), 0))`
      : 'NULL::numeric';
    let after = 'TRUE';
    if (page.after) {
      const id = param(page.after.customerId);
      after = byPriority
        ? `(x."priority" < ${param(page.after.priority ?? '0')}::numeric
            OR (x."priority" = ${param(page.after.priority ?? '0')}::numeric AND x."customerId" > ${id}))`
        : `x."customerId" > ${id}`;
    }
    const order = byPriority ? `x."priority" DESC, x."customerId"` : `x."customerId"`;
    const rows = await this.dataSource.query<
      (Omit<ListedPin, 'balances' | 'priority'> & { balances: BalanceJson[]; priority: string | null })[]
    >(
      `SELECT x.*,
              COALESCE((SELECT json_agg(json_build_object(
                          'currency', b.currency,
                          'outstanding', b.outstanding_minor::text,
                          'overdue', b.overdue_minor::text) ORDER BY b.currency)
                        FROM customer_pin_balances b WHERE b.customer_id = x."customerId"), '[]') AS balances
       FROM (SELECT p.customer_id AS "customerId", p.name, p.latitude AS lat, p.longitude AS lng,
                    p.geocode_precision AS precision, p.geocode_source AS source, p.status, p.tier,
                    p.credit_grade AS "creditGrade", ${DAYS_OVERDUE} AS "daysOverdue",
                    p.country_code AS "countryCode", p.region_code AS "regionCode",
                    p.region_name AS "regionName", p.city, ${priority} AS "priority"
             FROM customer_pins p
             WHERE ${where}) x
       WHERE ${after}
       ORDER BY ${order}
       LIMIT ${param(page.limit)}`,
      params,
    );
    return rows.map((r) => ({
      ...r,
      priority: r.priority === null ? null : String(r.priority),
      balances: r.balances.map(balanceOf),
    }));
  }

  async rollupCounts(level: RollupLevel, filter: PinFilter): Promise<RollupCounts[]> {
    const { where, params } = whereClause(filter);
    const g = rollupGroup(level);
    return this.dataSource.query<RollupCounts[]>(
      `SELECT p.country_code AS "countryCode", ${g.region} AS "regionCode", ${g.regionName} AS "regionName",
              ${g.city} AS city, ${g.district} AS "districtCode", ${g.districtName} AS "districtName",
              count(*)::int AS total,
              (count(*) FILTER (WHERE p.status = 'paid'))::int AS paid,
              (count(*) FILTER (WHERE p.status = 'unpaid'))::int AS unpaid,
              (count(*) FILTER (WHERE p.status = 'overdue'))::int AS overdue,
              avg(p.latitude) AS lat, avg(p.longitude) AS lng
       FROM customer_pins p
       WHERE ${where}
       GROUP BY 1, 2, 4, 5`,
      params,
    );
  }

  async rollupSums(level: RollupLevel, filter: PinFilter): Promise<RollupSums[]> {
    const { where, params } = whereClause(filter);
    const g = rollupGroup(level);
    const rows = await this.dataSource.query<SumRow[]>(
      `SELECT p.country_code AS "countryCode", ${g.region} AS "regionCode", ${g.city} AS city,
              ${g.district} AS "districtCode", b.currency,
              sum(b.outstanding_minor)::text AS outstanding, sum(b.overdue_minor)::text AS overdue
       FROM customer_pins p JOIN customer_pin_balances b ON b.customer_id = p.customer_id
       WHERE ${where}
       GROUP BY 1, 2, 3, 4, 5
       ORDER BY 5`,
      params,
    );
    return rows.map((r) => ({ ...r, outstanding: BigInt(r.outstanding), overdue: BigInt(r.overdue) }));
  }

  /**
   * rollupCounts from the pre-aggregated map_rollup (kept by GridDrainer, one row per district
   * key, status and tier): a few thousand rows grouped instead of every pin. Only the country and
   * status can filter here; the caller scans the pins for anything else.
   */
  async aggregatedRollupCounts(level: RollupLevel, filter: AggregateFilter): Promise<RollupCounts[]> {
    const { where, params } = aggregateWhere(filter);
    const g = rollupGroup(level);
    return this.dataSource.query<RollupCounts[]>(
      `SELECT p.country_code AS "countryCode", ${g.region} AS "regionCode", ${g.regionName} AS "regionName",
              ${g.city} AS city, ${g.district} AS "districtCode", ${g.districtName} AS "districtName",
              sum(p.n)::int AS total,
              (coalesce(sum(p.n) FILTER (WHERE p.status = 'paid'), 0))::int AS paid,
              (coalesce(sum(p.n) FILTER (WHERE p.status = 'unpaid'), 0))::int AS unpaid,
              (coalesce(sum(p.n) FILTER (WHERE p.status = 'overdue'), 0))::int AS overdue,
              sum(p.sum_lat) / sum(p.n) AS lat, sum(p.sum_lng) / sum(p.n) AS lng
       FROM map_rollup p
       WHERE ${where}
       GROUP BY 1, 2, 4, 5`,
      params,
    );
  }

  /** rollupSums from the pre-aggregated map_rollup_sums (see aggregatedRollupCounts). */
  async aggregatedRollupSums(level: RollupLevel, filter: AggregateFilter): Promise<RollupSums[]> {
    const { where, params } = aggregateWhere(filter);
    const g = rollupGroup(level);
    const rows = await this.dataSource.query<SumRow[]>(
      `SELECT p.country_code AS "countryCode", ${g.region} AS "regionCode", ${g.city} AS city,
              ${g.district} AS "districtCode", p.currency,
              sum(p.outstanding_minor)::text AS outstanding, sum(p.overdue_minor)::text AS overdue
       FROM map_rollup_sums p
       WHERE ${where}
       GROUP BY 1, 2, 3, 4, 5
       ORDER BY 5`,
      params,
    );
    return rows.map((r) => ({ ...r, outstanding: BigInt(r.outstanding), overdue: BigInt(r.overdue) }));
  }

  /**
   * Grid clusters of one zoom from the pre-aggregated map_grid (see the MapGrid migration): cost
   * depends on the cells in view, not on the number of pins. Only status and tier can be filtered
   * here; the caller reads pins for anything else.
   */
  async gridCells(
    zoom: number,
    bbox: Bbox,
    filter: Pick<PinFilter, 'statuses' | 'tiers'>,
  ): Promise<GridCell[]> {
    const params: unknown[] = [zoom];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const ranges = cellRanges(bbox, zoom + GRID_CELL_SHIFT)
      .map(
        (r) =>
          `(g.cx BETWEEN ${param(r.minX)} AND ${param(r.maxX)} AND g.cy BETWEEN ${param(r.minY)} AND ${param(r.maxY)})`,
      )
      .join(' OR ');
    const conditions = [`g.zoom = $1`, `(${ranges})`];
    if (filter.statuses) conditions.push(`g.status = ANY(${param(filter.statuses)}::text[])`);
    if (filter.tiers) conditions.push(`g.tier = ANY(${param(filter.tiers)}::text[])`);
    const where = conditions.join(' AND ');
    const [counts, sums] = await Promise.all([
      this.dataSource.query<Omit<GridCell, 'sums'>[]>(
        `SELECT g.cx, g.cy,
                (coalesce(sum(g.n) FILTER (WHERE g.status = 'paid'), 0))::int AS paid,
                (coalesce(sum(g.n) FILTER (WHERE g.status = 'unpaid'), 0))::int AS unpaid,
                (coalesce(sum(g.n) FILTER (WHERE g.status = 'overdue'), 0))::int AS overdue,
                sum(g.sum_lat) / sum(g.n) AS lat, sum(g.sum_lng) / sum(g.n) AS lng,
                CASE WHEN sum(g.n) = 1 THEN sum(g.sum_pin_no)::text END AS "pinNo"
         FROM map_grid g WHERE ${where}
         GROUP BY g.cx, g.cy HAVING sum(g.n) > 0`,
        params,
      ),
      this.dataSource.query<
        { cx: number; cy: number; currency: string; outstanding: string; overdue: string }[]
      >(
        `SELECT g.cx, g.cy, g.currency, sum(g.outstanding_minor)::text AS outstanding,
                sum(g.overdue_minor)::text AS overdue
         FROM map_grid_sums g WHERE ${where}
         GROUP BY g.cx, g.cy, g.currency
         ORDER BY g.currency`,
        params,
      ),
    ]);
    const cells = new Map(counts.map((c) => [`${c.cx}/${c.cy}`, { ...c, sums: [] as GridCell['sums'] }]));
    for (const s of sums) {
      cells.get(`${s.cx}/${s.cy}`)?.sums.push({
        currency: s.currency,
        outstanding: BigInt(s.outstanding),
        overdue: BigInt(s.overdue),
      });
    }
    return [...cells.values()];
  }

  /**
   * Sets pins' service tier and source ERP systems from customer-upserted unless a newer one was
   * applied.
   */
  async applyProfile(
    em: EntityManager,
    customerId: string,
    tier: PinTier,
    at: EventPosition,
    sources: readonly string[] = [],
  ): Promise<void> {
    await em.query(
      `INSERT INTO customer_pins AS p (customer_id, tier, profile_version, profile_occurred_at, source_systems)
       VALUES ($1, $2, $3, $4, $5::text[])
       ON CONFLICT (customer_id) DO UPDATE
         SET tier = EXCLUDED.tier, profile_version = EXCLUDED.profile_version,
             profile_occurred_at = EXCLUDED.profile_occurred_at, source_systems = EXCLUDED.source_systems,
             updated_at = now()
         WHERE event_not_older(EXCLUDED.profile_version, EXCLUDED.profile_occurred_at,
                               p.profile_version, p.profile_occurred_at)`,
      [customerId, tier, at.version.toString(), at.occurredAt, [...sources]],
    );
  }

  /** Sets a pin's credit grade (null: withdrawn) from credit-rating-changed unless a newer one was applied. */
  async applyRating(
    em: EntityManager,
    customerId: string,
    grade: string | null,
    at: EventPosition,
  ): Promise<void> {
    await em.query(
      `INSERT INTO customer_pins AS p (customer_id, credit_grade, rating_version, rating_occurred_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id) DO UPDATE
         SET credit_grade = EXCLUDED.credit_grade, rating_version = EXCLUDED.rating_version,
             rating_occurred_at = EXCLUDED.rating_occurred_at, updated_at = now()
         WHERE event_not_older(EXCLUDED.rating_version, EXCLUDED.rating_occurred_at,
                               p.rating_version, p.rating_occurred_at)`,
      [customerId, grade, at.version.toString(), at.occurredAt],
    );
  }

  /** Customers the map cannot show: never geocoded, or their address could not be located. */
  async countUnlocated(territory?: Territory): Promise<number> {
    const params: unknown[] = [];
    const inside = customerTerritoryFilter(territory, 'p.customer_id', positionalBinder(params));
    const rows = await this.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM customer_pins p WHERE p.latitude IS NULL AND ${inside}`,
      params,
    );
    return rows[0]?.n ?? 0;
  }
}

function balanceOf(b: BalanceJson): BalanceMinor {
  return { currency: b.currency, outstanding: BigInt(b.outstanding), overdue: BigInt(b.overdue) };
}

function whereClause(filter: PinFilter): { where: string; params: unknown[] } {
  const conditions = ['p.latitude IS NOT NULL', 'p.longitude IS NOT NULL'];
  const params: unknown[] = [];
  const param = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.bbox) {
    const [minLng, minLat, maxLng, maxLat] = filter.bbox;
    // point <@ box: the GiST index on the pin's point answers it. A box whose west edge is east of
    // its east edge wraps around the antimeridian: two boxes.
    const box = (west: number, east: number): string =>
      `point(p.longitude, p.latitude) <@ box(point(${param(west)}, ${param(minLat)}), point(${param(east)}, ${param(maxLat)}))`;
    conditions.push(minLng <= maxLng ? box(minLng, maxLng) : `(${box(minLng, 180)} OR ${box(-180, maxLng)})`);
  }
  // The pins' unique index answers it: one lookup per number, whatever the box estimates.
  if (filter.pinNos) conditions.push(`p.pin_no = ANY(${param(filter.pinNos)}::bigint[])`);
  if (filter.statuses) conditions.push(`p.status = ANY(${param(filter.statuses)}::text[])`);
  if (filter.tiers) conditions.push(`p.tier = ANY(${param(filter.tiers)}::text[])`);
  if (filter.minOverdueDays !== undefined) {
    conditions.push(
      `p.status = 'overdue' AND p.status_occurred_at <= now() - make_interval(days => ${param(filter.minOverdueDays)}::int)`,
    );
  }
  if (filter.salesTerritory !== undefined) {
    conditions.push(
      `EXISTS (SELECT 1 FROM customer_placements sp WHERE sp.customer_id = lower(p.customer_id)
               AND sp.sales_territory = ${param(filter.salesTerritory)})`,
    );
  }
  if (filter.countryCode) conditions.push(`p.country_code = ${param(filter.countryCode)}`);
  if (filter.grades) conditions.push(`p.credit_grade = ANY(${param(filter.grades)}::text[])`);
  if (filter.region) {
    conditions.push(`p.country_code = ${param(filter.region.countryCode)}`);
    if (filter.region.regionCode !== undefined) {
      conditions.push(`p.region_code = ${param(filter.region.regionCode)}`);
    }
    if (filter.region.city !== undefined) conditions.push(`p.city = ${param(filter.region.city)}`);
  }
  if (filter.sources) conditions.push(`p.source_systems && ${param(filter.sources)}::text[]`);
  if (filter.territory) conditions.push(customerTerritoryFilter(filter.territory, 'p.customer_id', param));
  return { where: conditions.join(' AND '), params };
}

/** Rows still counting something (the drainer deletes those that reach zero, within its batch). */
function aggregateWhere(filter: AggregateFilter): { where: string; params: unknown[] } {
  const conditions = ['p.n > 0'];
  const params: unknown[] = [];
  if (filter.statuses) {
    params.push(filter.statuses);
    conditions.push(`p.status = ANY($${params.length}::text[])`);
  }
  if (filter.countryCode) {
    params.push(filter.countryCode);
    conditions.push(`p.country_code = $${params.length}`);
  }
  return { where: conditions.join(' AND '), params };
}
