import { Injectable } from '@nestjs/common';
import type { Territory } from '@duemap/auth';
import { InjectConfig } from '@duemap/config';
import type { FeatureCollection, Point } from 'geojson';
import type { GeocodingConfig } from '../../config';
import { clusterPins, type ClusterFeature } from '../clustering';
import type { PinStatus } from '../customer-pin.entity';
import { WORLD, type Bbox } from '../map-query';
import { pinFeature, type PinColors, type PinFeature } from '../pin-features';
import { PinRepository } from '../pin.repository';

export interface MapCustomersQuery {
  bbox?: Bbox;
  /** Whole zoom level; clusters when given. */
  zoom?: number;
  statuses?: PinStatus[];
  /** The caller's territory: pins and clusters of its customers only; undefined = all. */
  territory?: Territory;
}

export type MapCustomers = FeatureCollection<Point, PinFeature['properties'] | ClusterFeature['properties']>;

export function pinColors(config: GeocodingConfig): PinColors {
  return { paid: config.MAP_COLOR_PAID, unpaid: config.MAP_COLOR_UNPAID, overdue: config.MAP_COLOR_OVERDUE };
}

/** The located customers in a box as GeoJSON: one point each, or clustered for a zoom level. */
@Injectable()
export class GetMapCustomersUseCase {
  constructor(
    private readonly pins: PinRepository,
    @InjectConfig() private readonly config: GeocodingConfig,
  ) {}

  async execute(query: MapCustomersQuery): Promise<MapCustomers> {
    const colors = pinColors(this.config);
    const statuses = {
      ...(query.statuses ? { statuses: query.statuses } : {}),
      ...(query.territory ? { territory: query.territory } : {}),
    };
    if (query.zoom === undefined) {
      const pins = await this.pins.findLocated({ ...statuses, ...(query.bbox ? { bbox: query.bbox } : {}) });
      return { type: 'FeatureCollection', features: pins.map((p) => pinFeature(p, colors)) };
    }
    // Clusters near the edge of the box have members outside it: index every pin, then cut.
    const pins = await this.pins.findLocated(statuses);
    const features = clusterPins(
      pins.map((p) => pinFeature(p, colors)),
      query.bbox ?? WORLD,
      query.zoom,
      { radius: this.config.MAP_CLUSTER_RADIUS, maxZoom: this.config.MAP_CLUSTER_MAX_ZOOM, colors },
    );
    return { type: 'FeatureCollection', features };
  }
}
