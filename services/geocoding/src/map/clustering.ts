import { Money, type MoneyJson } from '@duemap/money';
import type { Feature, Point } from 'geojson';
import Supercluster from 'supercluster';
import { PIN_STATUSES, type PinStatus } from './customer-pin.entity';
import type { Bbox } from './map-query';
import type { GridCell } from './pin.repository';
import { dominantStatus, type PinColors, type PinFeature } from './pin-features';

/** A group of pins drawn as one circle at this zoom. */
export interface ClusterProperties {
  cluster: true;
  /** Supercluster's id of the cluster, stable for the same data and options. */
  clusterId: number;
  point_count: number;
  point_count_abbreviated: string | number;
  counts: Record<PinStatus, number>;
  /** The status most of its pins have (ties: overdue, then unpaid), and its colour. */
  status: PinStatus;
  color: string;
  /** Sums over its pins, one per currency. */
  outstanding: MoneyJson[];
  overdue: MoneyJson[];
}

export type ClusterFeature = Feature<Point, ClusterProperties>;

export interface ClusterOptions {
  radius: number;
  maxZoom: number;
  colors: PinColors;
}

/**
 * Running totals supercluster carries up the cluster tree: one count per status and the
 * outstanding ("o:CNY") and overdue ("d:CNY") minor units per currency. Flat, because
 * supercluster copies cluster properties shallowly.
 */
type Totals = Record<string, bigint>;

function totalsOf(pin: PinFeature['properties']): Totals {
  const totals: Totals = { paid: 0n, unpaid: 0n, overdue: 0n };
  totals[pin.status] = 1n;
  for (const b of pin.balances) {
    totals[`o:${b.outstanding.currency}`] = Money.of(b.outstanding.amount, b.outstanding.currency, {
      allowNegative: true,
    }).minor;
    totals[`d:${b.overdue.currency}`] = Money.of(b.overdue.amount, b.overdue.currency, {
      allowNegative: true,
    }).minor;
  }
  return totals;
}

function addTotals(into: Totals, from: Readonly<Totals>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0n) + v;
}

function sums(totals: Totals, prefix: 'o:' | 'd:'): MoneyJson[] {
  return Object.keys(totals)
    .filter((k) => k.startsWith(prefix))
    .sort()
    .map((k) => Money.fromMinor(totals[k] ?? 0n, k.slice(prefix.length)).toJSON());
}

/**
 * Groups pins for one view of the map. All pins are indexed (not only those in view), so a
 * cluster at the edge of the box has the same members as when the box is moved.
 */
export function clusterPins(
  pins: PinFeature[],
  bbox: Bbox,
  zoom: number,
  options: ClusterOptions,
): (PinFeature | ClusterFeature)[] {
  const index = new Supercluster<PinFeature['properties'], Totals>({
    radius: options.radius,
    maxZoom: options.maxZoom,
    map: totalsOf,
    reduce: addTotals,
  });
  index.load(pins);
  return index.getClusters([...bbox], zoom).map((feature) => {
    if (!('cluster' in feature.properties) || feature.properties.cluster !== true)
      return feature as PinFeature;
    const meta = feature.properties as unknown as Supercluster.ClusterProperties;
    const totals = feature.properties as unknown as Totals;
    const counts = Object.fromEntries(PIN_STATUSES.map((s) => [s, Number(totals[s] ?? 0n)])) as Record<
      PinStatus,
      number
    >;
    const status = dominantStatus(counts);
    const cluster: ClusterFeature = {
      type: 'Feature',
      geometry: feature.geometry,
      properties: {
        cluster: true,
        clusterId: meta.cluster_id,
        point_count: meta.point_count,
        point_count_abbreviated: meta.point_count_abbreviated,
        counts,
        status,
        color: options.colors[status],
        outstanding: sums(totals, 'o:'),
        overdue: sums(totals, 'd:'),
      },
    };
    return cluster;
  });
}

/**
 * Clusters from the pre-aggregated grid: one per non-empty 64 px cell, at the mean position of its
 * pins; clusterId is the cell's number at this zoom (row-major), stable while the cell has pins.
 */
export function gridClusters(cells: readonly GridCell[], k: number, colors: PinColors): ClusterFeature[] {
  return cells.map((cell) => {
    const counts: Record<PinStatus, number> = { paid: cell.paid, unpaid: cell.unpaid, overdue: cell.overdue };
    const total = cell.paid + cell.unpaid + cell.overdue;
    const status = dominantStatus(counts);
    return {
      type: 'Feature',
      geometry: { type: 'Point', coordinates: [cell.lng, cell.lat] },
      properties: {
        cluster: true,
        clusterId: cell.cy * 2 ** k + cell.cx,
        point_count: total,
        point_count_abbreviated: abbreviated(total),
        counts,
        status,
        color: colors[status],
        outstanding: cell.sums.map((s) => Money.fromMinor(s.outstanding, s.currency).toJSON()),
        overdue: cell.sums.map((s) => Money.fromMinor(s.overdue, s.currency).toJSON()),
      },
    };
  });
}

/** As supercluster abbreviates point_count. */
export function abbreviated(count: number): string | number {
  if (count >= 10000) return `${Math.round(count / 1000)}k`;
  if (count >= 1000) return `${Math.round(count / 100) / 10}k`;
  return count;
}
