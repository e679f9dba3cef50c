import { Injectable } from '@nestjs/common';
import type { Territory } from '@duemap/auth';
import { InjectConfig } from '@duemap/config';
import type { FeatureCollection, Point } from 'geojson';
import type { GeocodingConfig } from '../../config';
import { GRID_CELL_SHIFT, GRID_MAX_ZOOM } from '../../database/migrations/1797200000000-map-grid';
import { clusterPins, gridClusters, type ClusterFeature } from '../clustering';
import type { PinStatus, PinTier } from '../customer-pin.entity';
import { WORLD, widenBbox, type Bbox } from '../map-query';
import { pinFeature, type PinColors, type PinFeature } from '../pin-features';
import { PinRepository, type PinFilter } from '../pin.repository';

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
 * (status, tier); with a caller's territory, a sales territory or days overdue they are clustered
 * from the pins in (and around) the box.
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
    };
    if (query.zoom === undefined) {
      const pins = await this.pins.findLocated({ ...filter, ...(query.bbox ? { bbox: query.bbox } : {}) });
      return { type: 'FeatureCollection', features: pins.map((p) => pinFeature(p, colors)) };
    }
    const bbox = query.bbox ?? WORLD;
    const gridKeeps =
      filter.territory === undefined &&
      filter.minOverdueDays === undefined &&
      filter.salesTerritory === undefined;
    if (query.zoom <= GRID_MAX_ZOOM && query.zoom <= this.config.MAP_CLUSTER_MAX_ZOOM && gridKeeps) {
      const cells = await this.pins.gridCells(query.zoom, bbox, filter);
      return {
        type: 'FeatureCollection',
        features: gridClusters(cells, query.zoom + GRID_CELL_SHIFT, colors),
      };
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
}
