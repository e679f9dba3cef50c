/**
 * How precisely a location pins down an address, finest first (proto GeocodePrecision). 'country'
 * and 'none' are not places: a customer located no finer than that gets no pin (isPinnable).
 */
export const GEOCODE_PRECISIONS = [
  'rooftop',
  'street',
  'postcode',
  'district',
  'city',
  'region',
  'country',
  'none',
] as const;
export type GeocodePrecision = (typeof GEOCODE_PRECISIONS)[number];

/** Whether a result is precise enough to put a pin on the map: anything finer than the country. */
export function isPinnable(result: { precision: GeocodePrecision } | null | undefined): boolean {
  return !!result && result.precision !== 'country' && result.precision !== 'none';
}

/** One of several places an ambiguous address may mean ("朝阳区": Beijing's or Changchun's). */
export interface GeocodeCandidate {
  /** Human-readable, as written locally: "北京市朝阳区". */
  label: string;
  /** An administrative code where there is one (GB/T 2260 for China). */
  code?: string;
  precision: GeocodePrecision;
  lat?: number;
  lng?: number;
}

/** An address as a geocoder reads it: the structured parts as far as known, and the one-line form. */
export interface GeocodeAddress {
  /** ISO 3166-1 alpha-2, any case; empty when unknown. */
  countryCode?: string;
  /** Province, state or region: a name ("广东省", "Bavaria") or a code ("CA", "CN-GD"). */
  region?: string;
  city?: string;
  district?: string;
  postalCode?: string;
  streetLines?: readonly string[];
  /** The whole address on one line as the source had it. */
  singleLine?: string;
}

/** The structured parts a geocoder recognised. */
export interface NormalizedAddress {
  countryCode: string;
  /** First-level subdivision: a code stable for roll-ups (GeoNames admin1 code) and a display name. */
  region?: { code: string; name: string };
  city?: string;
  /** District / county where the geocoder resolved one: GB/T 2260 code and name in China. */
  district?: { code: string; name: string };
}

export interface GeocodeResult {
  /** WGS 84 decimal degrees. */
  lat: number;
  lng: number;
  precision: GeocodePrecision;
  /** Which data or service produced it, e.g. "geonames", "world-countries", "nominatim". */
  source: string;
  /**
   * How sure the provider is that this is the address's place, 0..1: an exact city name that
   * agrees with its postcode is near 1, a corrected typo or a name several places share lower,
   * a country centre low. Optional so that providers without a notion of it can leave it out.
   */
  confidence?: number;
  /**
   * Set when several places matched equally well: the result is then only what they share (their
   * city, province, or just the country, which gets no pin), and these are what was meant.
   */
  candidates?: readonly GeocodeCandidate[];
  normalized: NormalizedAddress;
}

/**
 * Turns an address into a location. The offline provider ships with the service; online ones
 * (Nominatim, Amap, ...) are adapters behind the same interface. `null` means nothing matched,
 * not even the country.
 */
export interface GeocodingProvider {
  readonly name: string;
  geocode(address: GeocodeAddress): Promise<GeocodeResult | null>;
}

/** Injection token of the configured provider. */
export const GEOCODING_PROVIDER = Symbol('GEOCODING_PROVIDER');
