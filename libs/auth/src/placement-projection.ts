import type { Territory } from './identity';
import { provinceKey, territoryPredicate } from './territory';

/**
 * The projection every service but customers keeps of where its customers are
 * (`customer_placements`), so that territory limits are one SQL predicate away. Infrastructure
 * only: which event feeds it and which rows a territory opens stay in the services.
 */
export const CUSTOMER_PLACEMENTS_TABLE = 'customer_placements';

/** Anything that runs a parameterised statement: a TypeORM EntityManager, DataSource or QueryRunner. */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** What one customers event says of a customer's placement, at its position in the customer's history. */
export interface PlacementChange {
  customerId: string;
  /** ISO alpha-2 of the address; '' when the customer has no address. */
  country: string;
  province: string;
  /** Undefined when the event does not carry it (address-changed): the held one stays. */
  salesTerritory?: string;
  /** customer_version (0: the producer gave none). */
  version: bigint;
  occurredAt: Date;
}

/**
 * The change a customers event describes: customer-upserted (address and sales territory) or
 * address-changed (the address only; no address: the customer has none any more). Typed by shape
 * so this library need not know the generated event classes.
 */
export function placementChangeOf(
  event: {
    customerId: string;
    customerVersion: bigint;
    address?: { countryCode: string; region: string };
    salesTerritory?: string;
  },
  occurredAt: Date,
): PlacementChange {
  return {
    customerId: event.customerId,
    country: event.address?.countryCode ?? '',
    province: event.address?.region ?? '',
    ...(event.salesTerritory === undefined ? {} : { salesTerritory: event.salesTerritory }),
    version: event.customerVersion,
    occurredAt,
  };
}

// The contract's ordering rule (compareEventPositions in @duemap/events), inline so the table
// needs no function of its own: versions decide when both sides have one, occurred_at otherwise.
function notOlder(version: string, at: string, heldVersion: string, heldAt: string): string {
  return `(CASE WHEN ${heldAt} IS NULL THEN true
               WHEN ${version} > 0 AND ${heldVersion} > 0 THEN ${version} >= ${heldVersion}
               ELSE ${at} >= ${heldAt} END)`;
}

const ADDRESS_NEWER = notOlder(
  'EXCLUDED.address_version',
  'EXCLUDED.address_occurred_at',
  'p.address_version',
  'p.address_occurred_at',
);
const SALES_NEWER = `(EXCLUDED.sales_occurred_at IS NOT NULL AND ${notOlder(
  'EXCLUDED.sales_version',
  'EXCLUDED.sales_occurred_at',
  'p.sales_version',
  'p.sales_occurred_at',
)})`;

// The address and the sales territory each keep their own position: address-changed carries only
// the address, and arrives on another topic than customer-upserted, so either may come first.
const APPLY_CHANGE = `INSERT INTO ${CUSTOMER_PLACEMENTS_TABLE} AS p
  (customer_id, country, province_key, address_version, address_occurred_at,
   sales_territory, sales_version, sales_occurred_at, updated_at)
  VALUES ($1::text, $2::text, $3::text, $4::bigint, $5::timestamptz, COALESCE($6::text, ''),
          CASE WHEN $6::text IS NULL THEN 0 ELSE $4::bigint END,
          CASE WHEN $6::text IS NULL THEN NULL ELSE $5::timestamptz END, now())
  ON CONFLICT (customer_id) DO UPDATE SET
    country = CASE WHEN ${ADDRESS_NEWER} THEN EXCLUDED.country ELSE p.country END,
    province_key = CASE WHEN ${ADDRESS_NEWER} THEN EXCLUDED.province_key ELSE p.province_key END,
    address_version = CASE WHEN ${ADDRESS_NEWER} THEN EXCLUDED.address_version ELSE p.address_version END,
    address_occurred_at = CASE WHEN ${ADDRESS_NEWER} THEN EXCLUDED.address_occurred_at
                               ELSE p.address_occurred_at END,
    sales_territory = CASE WHEN ${SALES_NEWER} THEN EXCLUDED.sales_territory ELSE p.sales_territory END,
    sales_version = CASE WHEN ${SALES_NEWER} THEN EXCLUDED.sales_version ELSE p.sales_version END,
    sales_occurred_at = CASE WHEN ${SALES_NEWER} THEN EXCLUDED.sales_occurred_at ELSE p.sales_occurred_at END,
    updated_at = now()
  WHERE ${ADDRESS_NEWER} OR ${SALES_NEWER}`;

/** The statement and values that apply one change; exported for the unit tests. */
export function placementChangeStatement(change: PlacementChange): { sql: string; values: unknown[] } {
  const country = change.country.trim().toUpperCase();
  return {
    sql: APPLY_CHANGE,
    values: [
      change.customerId.toLowerCase(),
      country,
      provinceKey(country, change.province),
      change.version.toString(),
      change.occurredAt.toISOString(),
      change.salesTerritory === undefined ? null : change.salesTerritory.trim(),
    ],
  };
}

/**
 * Applies one change unless the projection holds a newer one (per part: the address, the sales
 * territory). Changes of one customer must come in their consumer's order; a batch of customers
 * should go in customer id order so that two transactions lock rows alike.
 */
export async function applyPlacementChange(db: SqlRunner, change: PlacementChange): Promise<void> {
  const { sql, values } = placementChangeStatement(change);
  await db.query(sql, values);
}

/** Whether `later` (after `earlier` in its consumer's order) takes the place of `earlier`: notOlder. */
function supersedes(later: PlacementChange, earlier: PlacementChange): boolean {
  if (later.version > 0n && earlier.version > 0n) return later.version >= earlier.version;
  return later.occurredAt.getTime() >= earlier.occurredAt.getTime();
}

// Many customers' changes in one statement: one row per customer (ON CONFLICT may touch a row once),
// the address and the sales territory each at their own position.
const APPLY_CHANGES = `INSERT INTO ${CUSTOMER_PLACEMENTS_TABLE} AS p
  (customer_id, country, province_key, address_version, address_occurred_at,
   sales_territory, sales_version, sales_occurred_at, updated_at)
  SELECT c.customer_id, c.country, c.province_key, c.address_version, c.address_occurred_at,
         COALESCE(c.sales_territory, ''), COALESCE(c.sales_version, 0), c.sales_occurred_at, now()
    FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::timestamptz[],
                $6::text[], $7::bigint[], $8::timestamptz[])
      AS c(customer_id, country, province_key, address_version, address_occurred_at,
           sales_territory, sales_version, sales_occurred_at)
   ORDER BY c.customer_id
  ${APPLY_CHANGE.slice(APPLY_CHANGE.indexOf('ON CONFLICT'))}`;

/**
 * Applies a batch of changes (in their consumer's order) in one statement: each customer's changes
 * are folded first — per part, the newest by the same rule the table applies — and customers are
 * written in id order, so two transactions lock rows alike.
 */
export async function applyPlacementChanges(
  db: SqlRunner,
  changes: readonly PlacementChange[],
): Promise<void> {
  if (changes.length === 0) return;
  const folded = new Map<string, { address: PlacementChange; sales?: PlacementChange }>();
  for (const change of changes) {
    const id = change.customerId.toLowerCase();
    const held = folded.get(id);
    const sales = change.salesTerritory === undefined ? undefined : change;
    if (!held) {
      folded.set(id, sales ? { address: change, sales } : { address: change });
      continue;
    }
    if (supersedes(change, held.address)) held.address = change;
    if (sales && (!held.sales || supersedes(sales, held.sales))) held.sales = sales;
  }
  const columns: unknown[][] = [[], [], [], [], [], [], [], []];
  for (const [id, { address, sales }] of folded) {
    const country = address.country.trim().toUpperCase();
    const row = [
      id,
      country,
      provinceKey(country, address.province),
      address.version.toString(),
      address.occurredAt.toISOString(),
      sales ? (sales.salesTerritory ?? '').trim() : null,
      sales ? sales.version.toString() : null,
      sales ? sales.occurredAt.toISOString() : null,
    ];
    row.forEach((value, i) => columns[i]?.push(value));
  }
  await db.query(APPLY_CHANGES, columns);
}

/** `bind` for positional parameters: appends to `values` and names the placeholder. */
export function positionalBinder(values: unknown[]): (value: unknown) => string {
  return (value) => {
    values.push(value);
    return `$${values.length}`;
  };
}

/** `bind` for a TypeORM query builder: named parameters `:<prefix><n>` collected in `parameters`. */
export function namedBinder(
  parameters: Record<string, unknown>,
  prefix = 'territory',
): (value: unknown) => string {
  let n = 0;
  return (value) => {
    const name = `${prefix}${n++}`;
    parameters[name] = value;
    return `:${name}`;
  };
}

/**
 * A SQL predicate that holds for rows whose customer (`customerIdExpr`, any SQL expression of the
 * customer's id) is inside the territory, looked up in `customer_placements`: explicit customer ids
 * match without a placement, the other selectors need one (a customer whose placement has not
 * arrived yet is outside). Undefined territory: `TRUE`; a territory that opens nothing: `FALSE`.
 */
export function customerTerritoryFilter(
  territory: Territory | undefined,
  customerIdExpr: string,
  bind: (value: unknown) => string,
  table = CUSTOMER_PLACEMENTS_TABLE,
): string {
  if (!territory) return 'TRUE';
  const id = `lower((${customerIdExpr})::text)`;
  const byId = territoryPredicate(
    { countries: [], provinces: [], salesTerritories: [], customerIds: territory.customerIds },
    { customerId: id, country: '', provinceKey: '', salesTerritory: '' },
    bind,
  );
  const byPlace = territoryPredicate(
    { ...territory, customerIds: [] },
    {
      customerId: 'cp.customer_id',
      country: 'cp.country',
      provinceKey: 'cp.province_key',
      salesTerritory: 'cp.sales_territory',
    },
    bind,
  );
  const parts: string[] = [];
  if (byId !== 'FALSE') parts.push(byId);
  if (byPlace !== 'FALSE') {
    parts.push(`EXISTS (SELECT 1 FROM ${table} cp WHERE cp.customer_id = ${id} AND ${byPlace})`);
  }
  return parts.length ? `(${parts.join(' OR ')})` : 'FALSE';
}

/** Whether one customer is inside the territory, by the service's `customer_placements`. */
export async function customerInTerritory(
  db: SqlRunner,
  territory: Territory | undefined,
  customerId: string,
): Promise<boolean> {
  if (!territory) return true;
  const values: unknown[] = [customerId];
  const predicate = customerTerritoryFilter(territory, '$1::text', positionalBinder(values));
  // $1 named even when the predicate is a constant: Postgres refuses a parameter it cannot type.
  const rows = (await db.query(`SELECT $1::text IS NOT NULL AND ${predicate} AS inside`, values)) as {
    inside: boolean;
  }[];
  return rows[0]?.inside === true;
}
