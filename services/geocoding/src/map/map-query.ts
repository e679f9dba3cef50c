import { PIN_STATUSES, type PinStatus } from './customer-pin.entity';

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
