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

/** geocode.earth, the hosted Pelias (needs GEOCODER_KEY); a self-hosted Pelias sets GEOCODER_URL. */
export const PELIAS_PUBLIC_URL = 'https://api.geocode.earth';

export const PELIAS_TERMS: ProviderTerms = {
  attribution:
    'Geocoding by Pelias; data © OpenStreetMap contributors (ODbL), OpenAddresses, Who’s On First, GeoNames (CC BY 4.0)',
  licence:
    'per source, listed at the attribution URL each answer carries (geocoding.attribution); geocode.earth allows storing results: https://geocode.earth/terms',
  cacheTtlMs: 30 * 86_400_000,
};

/** Pelias `layer` -> our precision (Pelias docs, "Data sources and layers"). */
const LAYERS: Readonly<Record<string, GeocodePrecision>> = {
  venue: 'rooftop',
  address: 'rooftop',
  street: 'street',
  postalcode: 'postcode',
  neighbourhood: 'district',
  microhood: 'district',
  borough: 'district',
  localadmin: 'district',
  county: 'district',
  locality: 'city',
  macrocounty: 'region',
  region: 'region',
  macroregion: 'region',
  dependency: 'country',
  country: 'country',
  empire: 'none',
  continent: 'none',
  ocean: 'none',
  marinearea: 'none',
};

/**
 * Pelias /v1/search (free text) or /v1/search/structured (the parts), size=1, the country as
 * boundary.country. Pelias gives its own `confidence` (0..1), kept; an `address` match that was
 * interpolated or fell back to a coarser layer says so in `match_type`/`accuracy`.
 */
export class PeliasAdapter implements OnlineAdapter {
  readonly name = 'pelias' as const;
  readonly terms = PELIAS_TERMS;

  constructor(private readonly options: AdapterOptions) {}

  request(address: GeocodeAddress): URL | undefined {
    const base = this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`;
    const street = (address.streetLines ?? []).map((line) => line.trim()).filter(Boolean)[0];
    const structured = !address.singleLine?.trim() && !!(address.city?.trim() || address.postalCode?.trim());
    const url = new URL(structured ? 'v1/search/structured' : 'v1/search', base);
    const params = url.searchParams;
    if (structured) {
      if (street) params.set('address', street);
      if (address.district?.trim()) params.set('borough', address.district.trim());
      if (address.city?.trim()) params.set('locality', address.city.trim());
      if (address.region?.trim()) params.set('region', address.region.trim());
      if (address.postalCode?.trim()) params.set('postalcode', address.postalCode.trim());
      if (address.countryCode?.trim()) params.set('country', address.countryCode.trim());
    } else {
      const q = oneLine(address);
      if (!q) return undefined;
      params.set('text', q);
      const country = address.countryCode?.trim();
      if (country && /^[A-Za-z]{2}$/.test(country)) params.set('boundary.country', country.toUpperCase());
    }
    params.set('size', '1');
    if (this.options.key) params.set('api_key', this.options.key);
    return url;
  }

  parse(body: unknown, address: GeocodeAddress): GeocodeResult | null {
    if (!isRecord(body) || !Array.isArray(body['features'])) {
      const errors = isRecord(body) && isRecord(body['geocoding']) ? body['geocoding']['errors'] : undefined;
      const detail = Array.isArray(errors) ? errors.map((e) => text(e) ?? '').join('; ') : undefined;
      throw new ProviderError(
        this.name,
        'bad_body',
        detail || 'answered something that is not a FeatureCollection',
      );
    }
    const feature: unknown = body['features'][0];
    if (!isRecord(feature) || !isRecord(feature['geometry']) || !isRecord(feature['properties'])) return null;
    const coordinates = feature['geometry']['coordinates'];
    if (!Array.isArray(coordinates)) return null;
    const lng = num(coordinates[0]);
    const lat = num(coordinates[1]);
    if (!validPoint(lat, lng) || lng === undefined) return null;
    const props = feature['properties'];
    let precision = LAYERS[text(props['layer']) ?? ''] ?? 'none';
    // An interpolated house number lies on the street, not at the door.
    if (precision === 'rooftop' && text(props['match_type']) === 'interpolated') precision = 'street';
    const confidence = num(props['confidence']);
    const attribution =
      isRecord(body['geocoding']) && text(body['geocoding']['attribution'])
        ? `${PELIAS_TERMS.attribution} (${text(body['geocoding']['attribution'])})`
        : PELIAS_TERMS.attribution;
    return {
      lat,
      lng,
      precision,
      source: `pelias; ${attribution}`,
      confidence:
        confidence === undefined ? CONFIDENCE_BY_PRECISION[precision] : Math.min(1, Math.max(0, confidence)),
      normalized: normalizedOf(props, address),
    };
  }
}

function normalizedOf(props: Record<string, unknown>, address: GeocodeAddress): NormalizedAddress {
  const countryCode = (text(props['country_code']) ?? address.countryCode ?? '').toUpperCase();
  const regionName = text(props['region']);
  const regionCode = text(props['region_a']);
  const city = text(props['locality']) ?? text(props['localadmin']);
  return {
    countryCode: /^[A-Z]{2}$/.test(countryCode) ? countryCode : '',
    ...(regionName ? { region: { code: regionCode ?? regionName, name: regionName } } : {}),
    ...(city ? { city } : {}),
  };
}
