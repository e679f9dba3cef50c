import type { Territory } from './identity';

/** What territory checks need to know about a customer; each service keeps it per customer id. */
export interface CustomerPlacement {
  customerId: string;
  /** ISO 3166-1 alpha-2, upper case; '' when unknown. */
  country: string;
  /** `provinceKey(country, province)`; '' when unknown. */
  provinceKey: string;
  salesTerritory: string;
}

// Longest first, so 广西壮族自治区 loses its whole suffix, not just 区.
const ADMIN_SUFFIXES = [
  '维吾尔自治区',
  '壮族自治区',
  '回族自治区',
  '特别行政区',
  '自治区',
  'province',
  'prefecture',
  'state',
  '省',
  '市',
].sort((a, b) => b.length - a.length);

/**
 * A province (state, region) as territory checks compare it: `COUNTRY/name`, with the name
 * NFKC-folded (full-width to half-width), lower-cased, spaces removed and an administrative
 * suffix dropped: `广东省`, `广东` and `ＧＵＡＮＧＤＯＮＧ Province` compare as the province they name.
 */
export function provinceKey(country: string, province: string | null | undefined): string {
  if (!province) return '';
  let name = province.normalize('NFKC').toLowerCase().replace(/\s+/g, '');
  for (const suffix of ADMIN_SUFFIXES) {
    if (name.length > suffix.length && name.endsWith(suffix)) {
      name = name.slice(0, -suffix.length);
      break;
    }
  }
  return name ? `${country.trim().toUpperCase()}/${name}` : '';
}

/** `CN/广东省` (a territory selector) as a province key. */
export function provinceSelectorKey(selector: string): string {
  const slash = selector.indexOf('/');
  if (slash <= 0) return '';
  return provinceKey(selector.slice(0, slash), selector.slice(slash + 1));
}

export function placementOf(input: {
  customerId: string;
  country?: string | null;
  province?: string | null;
  salesTerritory?: string | null;
}): CustomerPlacement {
  const country = (input.country ?? '').trim().toUpperCase();
  return {
    customerId: input.customerId,
    country,
    provinceKey: provinceKey(country, input.province),
    salesTerritory: (input.salesTerritory ?? '').trim(),
  };
}

/** Whether a customer is inside a territory (undefined territory: everyone is). */
export function inTerritory(
  territory: Territory | undefined,
  placement: CustomerPlacement | undefined,
): boolean {
  if (!territory) return true;
  if (!placement) return false;
  return (
    territory.customerIds.includes(placement.customerId.toLowerCase()) ||
    (placement.country !== '' && territory.countries.some((c) => c.toUpperCase() === placement.country)) ||
    (placement.provinceKey !== '' &&
      territory.provinces.some((p) => provinceSelectorKey(p) === placement.provinceKey)) ||
    (placement.salesTerritory !== '' && territory.salesTerritories.includes(placement.salesTerritory))
  );
}

/** The columns of a service's placement table (or view) that a territory predicate compares. */
export interface PlacementColumns {
  customerId: string;
  country: string;
  provinceKey: string;
  salesTerritory: string;
}

/**
 * A SQL predicate restricting rows to a territory, for raw SQL or a query builder: the caller
 * passes `bind`, which records a value and returns its placeholder (`$3`, or `:p3` for TypeORM).
 * Undefined territory: `TRUE`. An empty territory: `FALSE`. Values are bound, never spliced.
 */
export function territoryPredicate(
  territory: Territory | undefined,
  columns: PlacementColumns,
  bind: (value: unknown) => string,
): string {
  if (!territory) return 'TRUE';
  const parts: string[] = [];
  const ids = territory.customerIds.map((id) => id.toLowerCase());
  if (ids.length) parts.push(`${columns.customerId}::text = ANY(${bind(ids)}::text[])`);
  const countries = territory.countries.map((c) => c.toUpperCase());
  if (countries.length) parts.push(`${columns.country} = ANY(${bind(countries)}::text[])`);
  const provinces = territory.provinces.map(provinceSelectorKey).filter((key) => key !== '');
  if (provinces.length) parts.push(`${columns.provinceKey} = ANY(${bind(provinces)}::text[])`);
  if (territory.salesTerritories.length) {
    parts.push(`${columns.salesTerritory} = ANY(${bind([...territory.salesTerritories])}::text[])`);
  }
  return parts.length ? `(${parts.join(' OR ')})` : 'FALSE';
}
