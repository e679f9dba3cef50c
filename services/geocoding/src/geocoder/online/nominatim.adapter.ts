import type {
  GeocodeAddress,
  GeocodePrecision,
  GeocodeResult,
  NormalizedAddress,
} from '../geocoding-provider';
import {
  CONFIDENCE_BY_PRECISION,
  isRecord,
  num,
  oneLine,
  ProviderError,
  text,
  validPoint,
  type AdapterOptions,
  type OnlineAdapter,
  type ProviderTerms,
} from './online-adapter';

/** The public instance; its usage policy: at most 1 request/s, a User-Agent naming the application. */
export const NOMINATIM_PUBLIC_URL = 'https://nominatim.openstreetmap.org';

export const NOMINATIM_TERMS: ProviderTerms = {
  attribution: 'Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright',
  licence:
    'ODbL 1.0 (https://opendatacommons.org/licenses/odbl/); public instance: https://operations.osmfoundation.org/policies/nominatim/',
  // ODbL lets results be kept with attribution, and the usage policy asks clients to cache.
  cacheTtlMs: 30 * 86_400_000,
};

/** Nominatim `addresstype` (the kind of place matched) -> our precision. */
const ADDRESS_TYPES: Readonly<Record<string, GeocodePrecision>> = {
  house: 'rooftop',
  building: 'rooftop',
  amenity: 'rooftop',
  shop: 'rooftop',
  office: 'rooftop',
  tourism: 'rooftop',
  road: 'street',
  street: 'street',
  postcode: 'postcode',
  neighbourhood: 'district',
  quarter: 'district',
  suburb: 'district',
  city_district: 'district',
  district: 'district',
  borough: 'district',
  county: 'district',
  hamlet: 'city',
  village: 'city',
  town: 'city',
  city: 'city',
  municipality: 'city',
  state_district: 'region',
  state: 'region',
  province: 'region',
  region: 'region',
  country: 'country',
};

/**
 * Nominatim's place_rank when the address type says nothing we know (search ranks, Nominatim
 * docs "Place Ranking"): 30 a building or house number, 26-27 a street, 17-25 suburbs, villages and
 * neighbourhoods, 13-16 cities and towns, 5-12 states and counties, 4 a country.
 */
function precisionOfRank(rank: number): GeocodePrecision {
  if (rank >= 28) return 'rooftop';
  if (rank >= 26) return 'street';
  if (rank >= 17) return 'district';
  if (rank >= 13) return 'city';
  if (rank >= 5) return 'region';
  if (rank >= 4) return 'country';
  return 'none';
}

/**
 * Nominatim's /search (also a self-hosted Nominatim): structured query when the address has its
 * parts, the one-line form otherwise; format=jsonv2 with addressdetails for the admin names, one
 * result, the country as a filter when known (an address in "Paris, US" must not be Paris, FR).
 */
export class NominatimAdapter implements OnlineAdapter {
  readonly name = 'nominatim' as const;
  readonly terms = NOMINATIM_TERMS;

  constructor(private readonly options: AdapterOptions) {}

  request(address: GeocodeAddress): URL | undefined {
    const url = new URL(
      'search',
      this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`,
    );
    const params = url.searchParams;
    params.set('format', 'jsonv2');
    params.set('addressdetails', '1');
    params.set('limit', '1');
    const country = address.countryCode?.trim().toLowerCase();
    if (country && /^[a-z]{2}$/.test(country)) params.set('countrycodes', country);
    const street = (address.streetLines ?? []).map((line) => line.trim()).filter(Boolean)[0];
    if (!address.singleLine?.trim() && (address.city?.trim() || address.postalCode?.trim())) {
      // Structured: Nominatim matches each part against its own level, fewer wrong readings.
      if (street) params.set('street', street);
      if (address.city?.trim()) params.set('city', address.city.trim());
      if (address.district?.trim() && !address.city?.trim()) params.set('county', address.district.trim());
      if (address.region?.trim()) params.set('state', address.region.trim());
      if (address.postalCode?.trim()) params.set('postalcode', address.postalCode.trim());
      if (country) params.set('country', country);
      return url;
    }
    const q = oneLine(address);
    if (!q) return undefined;
    params.set('q', q);
    return url;
  }

  parse(body: unknown, address: GeocodeAddress): GeocodeResult | null {
    if (!Array.isArray(body)) {
      const error = isRecord(body) && isRecord(body['error']) ? text(body['error']['message']) : undefined;
      throw new ProviderError(
        this.name,
        'bad_body',
        error ?? 'answered something that is not a list of places',
      );
    }
    const first: unknown = body[0];
    if (!isRecord(first)) return null;
    const lat = num(first['lat']);
    const lng = num(first['lon']);
    if (!validPoint(lat, lng) || lng === undefined) return null;
    const addressType = text(first['addresstype']) ?? text(first['type']) ?? '';
    const rank = num(first['place_rank']);
    let precision = ADDRESS_TYPES[addressType] ?? (rank === undefined ? 'none' : precisionOfRank(rank));
    // A POI or building found without the house number asked for is only the street's worth.
    if (precision === 'rooftop' && rank !== undefined && rank < 28) precision = precisionOfRank(rank);
    const details = isRecord(first['address']) ? first['address'] : {};
    const normalized = normalizedOf(details, address);
    const licence = text(first['licence']);
    return {
      lat,
      lng,
      precision,
      source: `nominatim; ${licence ?? NOMINATIM_TERMS.attribution}`,
      // Nominatim's `importance` ranks places by prominence, not by how well they match: the
      // confidence follows the precision reached.
      confidence: CONFIDENCE_BY_PRECISION[precision],
      normalized,
    };
  }
}

function normalizedOf(details: Record<string, unknown>, address: GeocodeAddress): NormalizedAddress {
  const countryCode = (text(details['country_code']) ?? address.countryCode ?? '').toUpperCase();
  const regionName = text(details['state']) ?? text(details['province']) ?? text(details['region']);
  // "ISO3166-2-lvl4": "DE-BE": the subdivision code after the country.
  const iso = text(details['ISO3166-2-lvl4']) ?? text(details['ISO3166-2-lvl3']);
  const regionCode = iso?.includes('-') ? iso.slice(iso.indexOf('-') + 1) : undefined;
  const city =
    text(details['city']) ??
    text(details['town']) ??
    text(details['village']) ??
    text(details['municipality']);
  // No district: Nominatim has no code for it, and roll-ups group districts by code (the
  // fallback reads a Chinese district's GB/T 2260 code off the names offline).
  return {
    countryCode,
    // City-states (Berlin, Hamburg) carry the subdivision code without a state name.
    ...(regionName || (iso && regionCode)
      ? { region: { code: regionCode ?? regionName ?? '', name: regionName ?? iso ?? '' } }
      : {}),
    ...(city ? { city } : {}),
  };
}
