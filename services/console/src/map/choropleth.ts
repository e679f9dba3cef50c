import type { Boundaries, RegionRollup } from '../api/types';

export type ChoroplethMetric = 'off' | 'overdueShare' | 'outstanding';
export type ChoroplethLevel = 'province' | 'city';

/** Light to dark (ColorBrewer YlOrBr): the more pressing, the darker. */
export const CHOROPLETH_COLOURS = ['#fff7bc', '#fee391', '#fec44f', '#fe9929', '#d95f0e'] as const;

/** A class of the legend: values from `min` (inclusive) to `max` (exclusive; null: no upper bound). */
export interface ChoroplethClass {
  colour: string;
  min: number;
  max: number | null;
}

export interface Choropleth {
  metric: Exclude<ChoroplethMetric, 'off'>;
  /** The boundaries, each region with data carrying `bucket` (its class) and `value`. */
  data: Boundaries;
  classes: ChoroplethClass[];
  /** Outstanding: the currency summed (never across currencies). */
  currency: string;
}

const SHARE_BREAKS = [0, 0.1, 0.25, 0.5, 0.75];

/** The value a region is coloured by; null when it has nothing to show in this metric. */
export function valueOf(region: RegionRollup, metric: Choropleth['metric'], currency: string): number | null {
  if (region.count === 0) return null;
  if (metric === 'overdueShare') return region.counts.overdue / region.count;
  const money = region.outstanding.find((m) => m.currency === currency);
  // Only for colouring: amounts are shown to the user as the API's decimal strings.
  return money ? Number(money.amount) : null;
}

/** Five round breaks from 0 to the largest value (outstanding), so the legend reads plainly. */
export function amountBreaks(values: readonly number[]): number[] {
  const top = Math.max(0, ...values);
  if (top === 0) return [0, 1, 2, 3, 4];
  const step = top / 5;
  const magnitude = 10 ** Math.floor(Math.log10(step));
  const round = Math.ceil(step / magnitude) * magnitude;
  return [0, round, 2 * round, 3 * round, 4 * round];
}

function bucketOf(value: number, breaks: readonly number[]): number {
  let bucket = 0;
  breaks.forEach((b, i) => {
    if (value >= b) bucket = i;
  });
  return bucket;
}

/**
 * Joins the roll-ups to the boundaries by key (the API gives both the same key) and classes each
 * region: overdue share in fixed steps, outstanding in one currency in round steps.
 */
export function buildChoropleth(
  boundaries: Boundaries,
  regions: readonly RegionRollup[],
  metric: Choropleth['metric'],
  currency: string,
): Choropleth {
  const byKey = new Map(regions.map((r) => [r.key, r]));
  const values = new Map<string, number>();
  for (const r of regions) {
    const v = valueOf(r, metric, currency);
    if (v !== null) values.set(r.key, v);
  }
  const breaks = metric === 'overdueShare' ? SHARE_BREAKS : amountBreaks([...values.values()]);
  const features = (boundaries.features as BoundaryFeature[]).map((f) => {
    const key = f.properties.key;
    const value = values.get(key);
    if (value === undefined || !byKey.has(key)) return f;
    return { ...f, properties: { ...f.properties, value, bucket: bucketOf(value, breaks) } };
  });
  return {
    metric,
    currency,
    data: { ...boundaries, features },
    classes: breaks.map((min, i) => ({
      colour: CHOROPLETH_COLOURS[i] ?? CHOROPLETH_COLOURS[0],
      min,
      max: breaks[i + 1] ?? null,
    })),
  };
}

interface BoundaryFeature {
  type: 'Feature';
  properties: { key: string; name: string };
  geometry: unknown;
}
