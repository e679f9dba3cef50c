import type { PinStatus, Tier } from '../api/types';
import { PIN_STATUSES } from '../api/types';

export interface MapView {
  /** minLng,minLat,maxLng,maxLat */
  bbox: [number, number, number, number];
  zoom: number;
}

export interface MapFilters {
  statuses: readonly PinStatus[];
  tier: Tier | '';
  /** Whole days; '' for no minimum. */
  minOverdue: string;
}

export const NO_FILTERS: MapFilters = { statuses: PIN_STATUSES, tier: '', minOverdue: '' };

const round = (value: number): string => String(Math.round(value * 1e4) / 1e4);

/**
 * The query of GET /api/v1/map/customers for a view and filters; undefined when the filters
 * exclude everything (no status ticked), so nothing is asked for.
 */
export function mapCustomersQuery(view: MapView, filters: MapFilters): string | undefined {
  if (filters.statuses.length === 0) return undefined;
  const [w, s, e, n] = view.bbox;
  const params = new URLSearchParams({
    bbox: [Math.max(-180, w), Math.max(-90, s), Math.min(180, e), Math.min(90, n)].map(round).join(','),
    zoom: String(Math.max(0, Math.min(24, Math.floor(view.zoom)))),
  });
  if (filters.statuses.length < PIN_STATUSES.length) params.set('status', filters.statuses.join(','));
  if (filters.tier) params.set('tier', filters.tier);
  if (/^\d{1,5}$/.test(filters.minOverdue)) params.set('minOverdue', String(Number(filters.minOverdue)));
  return params.toString();
}

/** Whether a pin of this status and place belongs in the view as filtered. */
export function shows(
  view: MapView,
  filters: MapFilters,
  status: PinStatus,
  lng: number,
  lat: number,
): boolean {
  const [w, s, e, n] = view.bbox;
  return filters.statuses.includes(status) && lng >= w && lng <= e && lat >= s && lat <= n;
}
