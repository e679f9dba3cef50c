import type {
  GeocodeAddress,
  GeocodeCandidate,
  GeocodeResult,
  NormalizedAddress,
} from '../../geocoding-provider';
import type { Gazetteer, Place, Region } from '../gazetteer';
import { ChinaDivisions, type Division } from './divisions';
import { resolveChineseAddress, type ChinaMatch } from './resolve';

/** Source of results placed from the GB/T 2260 divisions data. */
export const CHINA_DIVISIONS_SOURCE = 'gb2260-divisions';
/** Source of results placed at a township's seat (GeoNames, CC BY 4.0). */
export const CHINA_TOWNS_SOURCE = 'geonames-towns';

/** The GeoNames place of a Chinese city name, as OfflineGeocoder finds it (for its English name). */
export type CityPlaceLookup = (cityName: string, region: Region | undefined) => Place | undefined;

const HAN = /\p{Script=Han}/u;
// Hong Kong, Macau and Taiwan: GeoNames files them under their own country codes.
const OWN_COUNTRY = new Set(['71', '81', '82']);

/**
 * Chinese addresses to the district: reads the address with resolveChineseAddress and places it
 * at the district's seat (precision 'district'), else the city's centre ('city'), else the
 * province ('region'). Region codes stay GeoNames admin1 codes and city names GeoNames names, as
 * for every other result, so roll-ups and territories do not care which path placed a customer.
 * Returns undefined when the address is not a Chinese one it can read, leaving it to the
 * GeoNames path.
 */
export class ChineseGeocoder {
  private readonly regions = new Map<string, Region | undefined>();
  private readonly places = new Map<string, Place | undefined>();

  constructor(
    private readonly gazetteer: Gazetteer,
    private readonly cityPlace: CityPlaceLookup,
    private readonly divisions: ChinaDivisions = ChinaDivisions.get(),
  ) {}

  geocode(address: GeocodeAddress): GeocodeResult | undefined {
    const country = address.countryCode?.trim().toUpperCase() ?? '';
    if (country !== '' && country !== 'CN' && country !== 'CHN') return undefined;
    const text = [address.singleLine, ...(address.streetLines ?? [])]
      .filter((t) => t && t.trim() !== '')
      .join(' ');
    const parts = [address.region, address.city, address.district, text];
    if (!parts.some((p) => p && HAN.test(p))) return undefined;

    const match = resolveChineseAddress(
      {
        ...(address.region ? { region: address.region } : {}),
        ...(address.city ? { city: address.city } : {}),
        ...(address.district ? { district: address.district } : {}),
        ...(address.postalCode ? { postalCode: address.postalCode } : {}),
        text,
      },
      this.divisions,
    );
    if (!match) return undefined;
    const province = match.province ?? match.candidates?.[0];
    if (province && OWN_COUNTRY.has(province.province)) return undefined;
    return this.toResult(match);
  }

  private toResult(match: ChinaMatch): GeocodeResult | undefined {
    const candidates = match.candidates?.map((d) => this.candidate(d));
    const region = match.province ? this.region(match.province) : undefined;
    const normalized: NormalizedAddress = { countryCode: 'CN' };
    if (region) normalized.region = { code: region.code, name: region.name };
    const place = match.city ? this.place(match.city, region) : undefined;
    if (match.city) normalized.city = place?.name ?? match.city.name;
    const extra = { confidence: match.confidence, ...(candidates ? { candidates } : {}) };

    const district = match.district;
    if (district && match.town) {
      // The township's seat: a point inside the township, typically a few km from the address,
      // where the county seat can be 20-100 km off. Still precision 'district': the code is the
      // district's and a township (~100 km²) is nowhere near a street, so an online provider's
      // street match keeps ranking above it.
      normalized.district = { code: district.code, name: district.name };
      return {
        lat: match.town.lat,
        lng: match.town.lng,
        precision: 'district',
        source: CHINA_TOWNS_SOURCE,
        ...extra,
        normalized,
      };
    }
    if (district?.lat !== undefined && district.lng !== undefined) {
      normalized.district = { code: district.code, name: district.name };
      return {
        lat: district.lat,
        lng: district.lng,
        precision: 'district',
        source: CHINA_DIVISIONS_SOURCE,
        ...extra,
        normalized,
      };
    }
    if (district) normalized.district = { code: district.code, name: district.name };
    if (match.city) {
      // A district without a seat in the data (a development zone) is placed at its city.
      if (place)
        return {
          lat: place.lat,
          lng: place.lng,
          precision: 'city',
          source: 'geonames',
          ...extra,
          normalized,
        };
      if (match.city.lat !== undefined && match.city.lng !== undefined) {
        return {
          lat: match.city.lat,
          lng: match.city.lng,
          precision: 'city',
          source: CHINA_DIVISIONS_SOURCE,
          ...extra,
          normalized,
        };
      }
    }
    if (region) {
      return {
        lat: region.lat,
        lng: region.lng,
        precision: 'region',
        source: 'geonames',
        ...extra,
        confidence: Math.min(match.confidence, 0.6),
        normalized,
      };
    }
    // Nothing shared by the candidates: China, with no point worth a pin.
    const china = this.gazetteer.country('CN');
    if (!china) return undefined;
    return {
      lat: china.lat,
      lng: china.lng,
      precision: 'country',
      source: 'world-countries',
      ...extra,
      confidence: Math.min(match.confidence, 0.2),
      normalized,
    };
  }

  private candidate(d: Division): GeocodeCandidate {
    const city = this.divisions.cityOf(d);
    const province = this.divisions.provinceOf(d);
    const label = [
      province?.name,
      city && city.name !== province?.name ? city.name : undefined,
      d.level === 'district' ? d.name : undefined,
    ]
      .filter(Boolean)
      .join('');
    return {
      label,
      code: d.code,
      precision: d.level === 'district' ? 'district' : d.level === 'city' ? 'city' : 'region',
      ...(d.lat !== undefined && d.lng !== undefined ? { lat: d.lat, lng: d.lng } : {}),
    };
  }

  private region(province: Division): Region | undefined {
    if (!this.regions.has(province.code)) {
      this.regions.set(province.code, this.gazetteer.regionNamed('CN', province.name));
    }
    return this.regions.get(province.code);
  }

  private place(city: Division, region: Region | undefined): Place | undefined {
    if (!this.places.has(city.code)) this.places.set(city.code, this.cityPlace(city.name, region));
    return this.places.get(city.code);
  }
}
