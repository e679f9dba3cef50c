import { Injectable } from '@nestjs/common';
import type { Territory } from '@duemap/auth';
import { InjectConfig } from '@duemap/config';
import type { FeatureCollection, Point } from 'geojson';
import type { GeocodingConfig } from '../../config';
import { clusterPins, gridClusters, type ClusterFeature } from '../clustering';
import { GRID_CELL_SHIFT, GRID_MAX_ZOOM, MAX_SINGLE_PINS } from '../grid';
import type { PinStatus, PinTier } from '../customer-pin.entity';
import { cellOf, WORLD, widenBbox, type Bbox, type RegionKey } from '../map-query';
import { pinFeature, type PinColors, type PinFeature } from '../pin-features';
import { PinRepository, type GridCell, type PinFilter } from '../pin.repository';

export interface MapCustomersQuery {
  bbox?: Bbox;
  /** Whole zoom level; clusters when given. */
  zoom?: number;
  statuses?: PinStatus[];
  tiers?: PinTier[];
  /** Only customers overdue for at least this many days. */
  minOverdueDays?: number;
  /** Only customers of this sales territory. */
  salesTerritory?: string;
  /** Only customers with these credit grades. */
  grades?: string[];
  /** Only customers of this region (roll-up key). */
  region?: RegionKey;
  /** Only customers with a record in one of these ERP systems. */
  sources?: string[];
  /** The caller's territory: pins and clusters of its customers only; undefined = all. */
  territory?: Territory;
}

export type MapCustomers = FeatureCollection<Point, PinFeature['properties'] | ClusterFeature['properties']>;

export function pinColors(config: GeocodingConfig): PinColors {
  return { paid: config.MAP_COLOR_PAID, unpaid: config.MAP_COLOR_UNPAID, overdue: config.MAP_COLOR_OVERDUE };
}

/** Degrees of longitude `pixels` span at a zoom level (256 px tiles). */
export function degreesAt(zoom: number, pixels: number): number {
  return (pixels / 256 / 2 ** zoom) * 360;
}

/**
 * The located customers in a box as GeoJSON: one point each, or clustered for a zoom level. Up to
 * GRID_MAX_ZOOM the clusters come from the pre-aggregated grid when the filters are ones it keeps
 * (status, tier); with a caller's territory, a sales territory, days overdue, a credit grade, a
 * region or a source ERP, and above the
 * grid, they are clustered from the pins in (and around) the box.
 */
@Injectable()
export class GetMapCustomersUseCase {
  constructor(
    private readonly pins: PinRepository,
    @InjectConfig() private readonly config: GeocodingConfig,
  ) {}

  async execute(query: MapCustomersQuery): Promise<MapCustomers> {
    const colors = pinColors(this.config);
    const filter: PinFilter = {
      ...(query.statuses ? { statuses: query.statuses } : {}),
      ...(query.tiers ? { tiers: query.tiers } : {}),
      ...(query.minOverdueDays !== undefined ? { minOverdueDays: query.minOverdueDays } : {}),
      ...(query.salesTerritory !== undefined ? { salesTerritory: query.salesTerritory } : {}),
      ...(query.territory ? { territory: query.territory } : {}),
      ...(query.grades ? { grades: query.grades } : {}),
      ...(query.region ? { region: query.region } : {}),
      ...(query.sources ? { sources: query.sources } : {}),
    };
    if (query.zoom === undefined) {
      const pins = await this.pins.findLocated({ ...filter, ...(query.bbox ? { bbox: query.bbox } : {}) });
      return { type: 'FeatureCollection', features: pins.map((p) => pinFeature(p, colors)) };
    }
    const bbox = query.bbox ?? WORLD;
    const gridKeeps =
      filter.territory === undefined &&
      filter.minOverdueDays === undefined &&
      filter.salesTerritory === undefined &&
      filter.grades === undefined &&
      filter.region === undefined &&
      filter.sources === undefined;
    if (query.zoom <= GRID_MAX_ZOOM && query.zoom <= this.config.MAP_CLUSTER_MAX_ZOOM && gridKeeps) {
      return { type: 'FeatureCollection', features: await this.fromGrid(query.zoom, bbox, filter, colors) };
    }
    // Clusters near the edge of the box have members outside it: read the pins within two cluster
    // radii around it too, so a cluster keeps its members when the box moves a little.
    const around = widenBbox(bbox, degreesAt(query.zoom, 2 * this.config.MAP_CLUSTER_RADIUS));
    const pins = await this.pins.findLocated({ ...filter, bbox: around });
    const features = clusterPins(
      pins.map((p) => pinFeature(p, colors)),
      bbox,
      query.zoom,
      { radius: this.config.MAP_CLUSTER_RADIUS, maxZoom: this.config.MAP_CLUSTER_MAX_ZOOM, colors },
    );
    return { type: 'FeatureCollection', features };
  }

  /**
   * Grid clusters of the view; a cell holding one customer shows that customer's pin, read by the
   * pin numbers the cells carry (one index lookup each, unless the view has more such cells than
   * MAX_SINGLE_PINS).
   */
  private async fromGrid(
    zoom: number,
    bbox: Bbox,
    filter: PinFilter,
    colors: PinColors,
  ): Promise<(PinFeature | ClusterFeature)[]> {
    const k = zoom + GRID_CELL_SHIFT;
    const cells = await this.pins.gridCells(zoom, bbox, filter);
    const key = (c: { cx: number; cy: number }): string => `${c.cx}/${c.cy}`;
    const single = cells.filter((c) => c.pinNo !== null && c.paid + c.unpaid + c.overdue === 1);
    if (single.length === 0 || single.length > MAX_SINGLE_PINS) return gridClusters(cells, k, colors);
    const wanted = new Set(single.map(key));
    // The grid lags pin writes by the drain interval: a pin that moved out of its cell (or no
    // longer passes the filter) since is not shown there, and its cell stays a cluster of one.
    const pins = (
      await this.pins.findLocated({ ...filter, pinNos: single.map((c) => c.pinNo ?? '') })
    ).filter((p) => wanted.has(key(cellOf(p.lng, p.lat, k))));
    const shown = new Set(pins.map((p) => key(cellOf(p.lng, p.lat, k))));
    const clusters: GridCell[] = cells.filter((c) => !shown.has(key(c)));
    return [...gridClusters(clusters, k, colors), ...pins.map((p) => pinFeature(p, colors))];
  }
}
