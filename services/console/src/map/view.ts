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
  /** Credit grades, comma-separated as typed ('' for any). */
  grade: string;
  /** A region key of the roll-ups ("CN-30"); '' for anywhere. */
  region: string;
  /** Source ERP systems, comma-separated as typed ('' for any). */
  source: string;
}

export const NO_FILTERS: MapFilters = {
  statuses: PIN_STATUSES,
  tier: '',
  minOverdue: '',
  grade: '',
  region: '',
  source: '',
};

/** A typed comma-separated list, tidied: trimmed items, empty ones dropped; '' when none. */
export function listOf(raw: string): string {
  return raw
    .split(/[,，]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .join(',');
}

/** The filter parameters both GET /api/v1/map/customers and GET /api/v1/map/list take. */
function filterParams(params: URLSearchParams, filters: MapFilters): void {
  if (filters.statuses.length < PIN_STATUSES.length) params.set('status', filters.statuses.join(','));
  if (filters.tier) params.set('tier', filters.tier);
  if (/^\d{1,5}$/.test(filters.minOverdue)) params.set('minOverdue', String(Number(filters.minOverdue)));
  if (listOf(filters.grade)) params.set('grade', listOf(filters.grade));
  if (filters.region) params.set('region', filters.region);
  if (listOf(filters.source)) params.set('source', listOf(filters.source).toLowerCase());
}

function bboxParam(view: MapView): string {
  const [w, s, e, n] = view.bbox;
  return [Math.max(-180, w), Math.max(-90, s), Math.min(180, e), Math.min(90, n)].map(round).join(',');
}

const round = (value: number): string => String(Math.round(value * 1e4) / 1e4);

/**
 * The query of GET /api/v1/map/customers for a view and filters; undefined when the filters
 * exclude everything (no status ticked), so nothing is asked for.
 */
export function mapCustomersQuery(view: MapView, filters: MapFilters): string | undefined {
  if (filters.statuses.length === 0) return undefined;
  const params = new URLSearchParams({
    bbox: bboxParam(view),
    zoom: String(Math.max(0, Math.min(24, Math.floor(view.zoom)))),
  });
  filterParams(params, filters);
  return params.toString();
}

/**
 * The query of GET /api/v1/map/list for the customers of a view (never clustered), a page at a
 * time; undefined when the filters exclude everything.
 */
export function mapListQuery(view: MapView, filters: MapFilters, limit = 50): string | undefined {
  if (filters.statuses.length === 0) return undefined;
  const params = new URLSearchParams({ bbox: bboxParam(view), limit: String(limit) });
  filterParams(params, filters);
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
