import type { GeocodeAddress, GeocodePrecision, GeocodeResult } from '../geocoding-provider';

/** The online providers there are adapters for (GEOCODER). */
export const ONLINE_PROVIDERS = ['nominatim', 'pelias', 'amap', 'baidu'] as const;
export type OnlineProviderName = (typeof ONLINE_PROVIDERS)[number];

/**
 * What a provider's terms say about its answers: who to credit, under what licence, and how long
 * an answer may be kept. Stored with every cached row, and carried in each result's `source`.
 */
export interface ProviderTerms {
  /** The credit line to show with the data, e.g. "Data © OpenStreetMap contributors, ODbL 1.0". */
  readonly attribution: string;
  /** The licence or terms the data comes under, with where to read them. */
  readonly licence: string;
  /** How long an answer may be cached by default; 0: not at all (GEOCODER_CACHE_TTL overrides). */
  readonly cacheTtlMs: number;
}

/** What an adapter needs to build its requests. The key never appears in logs or errors. */
export interface AdapterOptions {
  /** The service's base URL (GEOCODER_URL or the provider's public endpoint). */
  readonly baseUrl: string;
  /** API key (Amap `key`, Baidu `ak`, geocode.earth `api_key`), GEOCODER_KEY. */
  readonly key?: string;
}

/** A provider's answer it calls an error (Amap status "0", Baidu status != 0): no result, no cache. */
export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    /** Short, label-safe: "http_500", "status_10001", "bad_body". */
    readonly reason: string,
    detail: string,
  ) {
    super(`${provider}: ${detail}`);
    this.name = 'ProviderError';
  }
}

/**
 * One provider's protocol, without I/O: the request an address becomes, and how the answer maps
 * to a GeocodeResult (WGS-84, our precision, a confidence, what it recognised). OnlineGeocoder does
 * the HTTP, the rate limit, the timeout and the metrics around it.
 */
export interface OnlineAdapter {
  readonly name: OnlineProviderName;
  readonly terms: ProviderTerms;
  /** The request for this address; undefined when the address gives the provider nothing to read. */
  request(address: GeocodeAddress): URL | undefined;
  /** The answer's best match, null when it found nothing; ProviderError for an error answer. */
  parse(body: unknown, address: GeocodeAddress): GeocodeResult | null;
}

/** The value of an object's field when it is a non-empty string (Amap writes `[]` for "none"). */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A finite number from a number or a numeric string ("39.99"). */
export function num(value: unknown): number | undefined {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  return Number.isFinite(n) ? n : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A latitude/longitude pair that can be a place (not NaN, in range, not the 0,0 of "unknown"). */
export function validPoint(lat: number | undefined, lng: number | undefined): lat is number {
  return (
    lat !== undefined &&
    lng !== undefined &&
    Math.abs(lat) <= 90 &&
    Math.abs(lng) <= 180 &&
    !(lat === 0 && lng === 0)
  );
}

/** The one-line form of an address for providers that read free text. */
export function oneLine(
  address: GeocodeAddress,
  order: 'small-first' | 'large-first' = 'small-first',
): string {
  if (address.singleLine?.trim()) return address.singleLine.trim();
  const street = (address.streetLines ?? []).map((line) => line.trim()).filter(Boolean);
  const parts =
    order === 'small-first'
      ? [
          ...street,
          address.district,
          [address.postalCode, address.city].filter(Boolean).join(' '),
          address.region,
          address.countryCode,
        ]
      : [address.region, address.city, address.district, ...street];
  return parts
    .map((part) => part?.trim())
    .filter((part): part is string => !!part)
    .join(order === 'small-first' ? ', ' : '');
}

/** Confidence the adapters give when the provider has no notion of one, by precision. */
export const CONFIDENCE_BY_PRECISION: Readonly<Record<GeocodePrecision, number>> = {
  rooftop: 0.95,
  street: 0.85,
  postcode: 0.8,
  district: 0.75,
  city: 0.7,
  region: 0.5,
  country: 0.2,
  none: 0,
};
