import { PIN_STATUSES, PIN_TIERS, type PinStatus, type PinTier } from './customer-pin.entity';

/** [minLng, minLat, maxLng, maxLat]; minLng > maxLng means the box crosses the antimeridian. */
export type Bbox = readonly [number, number, number, number];

export const WORLD: Bbox = [-180, -90, 180, 90];

const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;

/** Parsed value, or why the text is not one (worded to follow the field name). */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

export function parseBbox(raw: string): Parsed<Bbox> {
  const parts = raw.split(',').map((p) => p.trim());
  const expects = 'must be "minLng,minLat,maxLng,maxLat" in decimal degrees';
  if (parts.length !== 4 || parts.some((p) => !NUMBER.test(p))) return { ok: false, problem: expects };
  const [minLng, minLat, maxLng, maxLat] = parts.map(Number) as [number, number, number, number];
  if ([minLng, maxLng].some((x) => x < -180 || x > 180)) {
    return { ok: false, problem: 'must have longitudes between -180 and 180' };
  }
  if ([minLat, maxLat].some((y) => y < -90 || y > 90)) {
    return { ok: false, problem: 'must have latitudes between -90 and 90' };
  }
  if (minLat > maxLat) return { ok: false, problem: 'must have minLat <= maxLat' };
  return { ok: true, value: [minLng, minLat, maxLng, maxLat] };
}

export const MAX_ZOOM = 24;

/** Map zoom levels are often fractional (12.5); clustering uses the whole level below. */
export function parseZoom(raw: string): Parsed<number> {
  if (!NUMBER.test(raw.trim())) return { ok: false, problem: `must be a number from 0 to ${MAX_ZOOM}` };
  const zoom = Number(raw);
  if (zoom < 0 || zoom > MAX_ZOOM) return { ok: false, problem: `must be a number from 0 to ${MAX_ZOOM}` };
  return { ok: true, value: Math.floor(zoom) };
}

/** "unpaid,overdue" -> ['unpaid', 'overdue']. */
export function parseStatuses(raw: string): Parsed<PinStatus[]> {
  const parts = raw.split(',').map((p) => p.trim().toLowerCase());
  const bad = parts.filter((p) => !(PIN_STATUSES as readonly string[]).includes(p));
  if (bad.length > 0) {
    return { ok: false, problem: `must be a comma-separated list of ${PIN_STATUSES.join(', ')}` };
  }
  return { ok: true, value: [...new Set(parts as PinStatus[])] };
}

export function valueOf<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(`unvalidated query value: ${parsed.problem}`);
  return parsed.value;
}

/** "vip" or "standard,vip". */
export function parseTiers(raw: string): Parsed<PinTier[]> {
  const parts = raw.split(',').map((p) => p.trim().toLowerCase());
  if (parts.some((p) => !(PIN_TIERS as readonly string[]).includes(p))) {
    return { ok: false, problem: `must be a comma-separated list of ${PIN_TIERS.join(', ')}` };
  }
  return { ok: true, value: [...new Set(parts as PinTier[])] };
}

export const MAX_OVERDUE_DAYS = 36_500;

/** Whole days overdue, 0 (any overdue customer) to MAX_OVERDUE_DAYS. */
export function parseMinOverdue(raw: string): Parsed<number> {
  const problem = `must be a whole number of days from 0 to ${MAX_OVERDUE_DAYS}`;
  if (!/^(0|[1-9][0-9]{0,5})$/.test(raw.trim())) return { ok: false, problem };
  const days = Number(raw.trim());
  return days > MAX_OVERDUE_DAYS ? { ok: false, problem } : { ok: true, value: days };
}

/** Sales territory names: what customers sends, bounded. */
export function parseTerritory(raw: string): Parsed<string> {
  const name = raw.trim();
  if (name.length === 0 || name.length > 100)
    return { ok: false, problem: 'must be a sales territory name of 1 to 100 characters' };
  return { ok: true, value: name };
}

/** Web Mercator x (0 west .. 1 east) of a longitude. */
export function mercatorX(lng: number): number {
  return (lng + 180) / 360;
}

const MAX_MERCATOR_LAT = 85.05112878;

/** Web Mercator y (0 north .. 1 south) of a latitude, clamped to the projection's range. */
export function mercatorY(lat: number): number {
  const clamped = Math.max(-MAX_MERCATOR_LAT, Math.min(MAX_MERCATOR_LAT, lat));
  return (1 - Math.log(Math.tan(Math.PI / 4 + (clamped * Math.PI) / 360)) / Math.PI) / 2;
}

export interface CellRange {
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/**
 * The cells (2^k per side, as map_cell_x / map_cell_y in SQL compute them) a box covers: one range,
 * or two when it crosses the antimeridian.
 */
export function cellRanges(bbox: Bbox, k: number): CellRange[] {
  const side = 2 ** k;
  const cell = (v: number): number => Math.max(0, Math.min(side - 1, Math.floor(v * side)));
  const [minLng, minLat, maxLng, maxLat] = bbox;
  const minY = cell(mercatorY(maxLat));
  const maxY = cell(mercatorY(minLat));
  const x = (west: number, east: number): CellRange => ({
    minX: cell(mercatorX(west)),
    maxX: cell(mercatorX(east)),
    minY,
    maxY,
  });
  return minLng <= maxLng ? [x(minLng, maxLng)] : [x(minLng, 180), x(-180, maxLng)];
}

/**
 * The box grown by `degrees` on each side (latitudes capped at the poles); the whole world when it
 * would wrap onto itself. Crosses the antimeridian as a box may.
 */
export function widenBbox(bbox: Bbox, degrees: number): Bbox {
  const [minLng, minLat, maxLng, maxLat] = bbox;
  const width = minLng <= maxLng ? maxLng - minLng : maxLng + 360 - minLng;
  const south = Math.max(-90, minLat - degrees);
  const north = Math.min(90, maxLat + degrees);
  if (width + 2 * degrees >= 360) return [-180, south, 180, north];
  const west = minLng - degrees < -180 ? minLng - degrees + 360 : minLng - degrees;
  const east = maxLng + degrees > 180 ? maxLng + degrees - 360 : maxLng + degrees;
  return [west, south, east, north];
}

function latitudeOf(y: number): number {
  return (180 / Math.PI) * Math.atan(Math.sinh(Math.PI * (1 - 2 * y)));
}

/** The cell (2^k per side) a position falls in, as map_cell_x / map_cell_y compute it. */
export function cellOf(lng: number, lat: number, k: number): { cx: number; cy: number } {
  const side = 2 ** k;
  const cell = (v: number): number => Math.max(0, Math.min(side - 1, Math.floor(v * side)));
  return { cx: cell(mercatorX(lng)), cy: cell(mercatorY(lat)) };
}

/** A cell's box in degrees. */
export function cellBox(cx: number, cy: number, k: number): Bbox {
  const side = 2 ** k;
  return [
    (cx / side) * 360 - 180,
    latitudeOf((cy + 1) / side),
    ((cx + 1) / side) * 360 - 180,
    latitudeOf(cy / side),
  ];
}

/** Free-text list values (credit grades, ERP names): printable, no control characters, bounded. */
function parseNames(raw: string, what: string, maxLength: number, maxItems: number): Parsed<string[]> {
  const parts = raw.split(',').map((p) => p.trim());
  const problem = `must be a comma-separated list of up to ${maxItems} ${what} of 1 to ${maxLength} characters`;
  if (
    parts.length > maxItems ||
    parts.some((p) => p.length === 0 || p.length > maxLength || /[\p{Cc}]/u.test(p))
  ) {
    return { ok: false, problem };
  }
  return { ok: true, value: [...new Set(parts)] };
}

/** "A,B": the enterprise's credit grades (credit-rating-changed), as the pins hold them. */
export function parseGrades(raw: string): Parsed<string[]> {
  return parseNames(raw, 'credit grades', 20, 20);
}

/** "sap,kingdee": source ERP systems (customer-upserted sources). */
export function parseSources(raw: string): Parsed<string[]> {
  return parseNames(raw, 'source systems', 100, 20);
}

/** A region by its roll-up key: "CN" (country), "CN-30" (province), "CN-30/Guangzhou" (city). */
export interface RegionKey {
  countryCode: string;
  regionCode?: string;
  city?: string;
}

export function parseRegion(raw: string): Parsed<RegionKey> {
  const problem =
    'must be a region key of GET /api/v1/map/regions: "CN", "CN-30" (province) or "CN-30/Guangzhou" (city)';
  const match = /^([A-Za-z]{2})(?:-([A-Za-z0-9]{1,20})(?:\/([^/]{1,100}))?)?$/u.exec(raw.trim());
  if (!match || /[\p{Cc}]/u.test(raw)) return { ok: false, problem };
  const [, country, region, city] = match;
  return {
    ok: true,
    value: {
      countryCode: (country ?? '').toUpperCase(),
      ...(region !== undefined ? { regionCode: region } : {}),
      ...(city !== undefined ? { city } : {}),
    },
  };
}

export const LIST_SORTS = ['id', 'priority'] as const;
export type ListSort = (typeof LIST_SORTS)[number];

/** ISO 4217 code, upper case. */
export function parseCurrency(raw: string): Parsed<string> {
  const code = raw.trim().toUpperCase();
  return /^[A-Z]{3}$/.test(code)
    ? { ok: true, value: code }
    : { ok: false, problem: 'must be an ISO 4217 code such as CNY' };
}
