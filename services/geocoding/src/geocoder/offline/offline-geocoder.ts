import type {
  GeocodeAddress,
  GeocodeResult,
  GeocodingProvider,
  NormalizedAddress,
} from '../geocoding-provider';
import {
  CHINESE_CITY_ALIASES,
  parseChineseAddress,
  stripChineseCitySuffix,
  type ChineseAddressParts,
} from './china';
import { Gazetteer, type CountryCentre, type Place, type Region } from './gazetteer';
import { fold, hasHan, latinCityKeys, pinyinKey } from './names';

/** Source names written into every result (and the customer-geocoded event). */
export const OfflineSource = { GeoNames: 'geonames', WorldCountries: 'world-countries' } as const;

interface CityCandidate {
  text: string;
  /** Accept it only inside the region the address names (a guess read off free text). */
  onlyInRegion: boolean;
}

/**
 * The default provider: no network, data from npm packages. Finds the finest level it can —
 * city, then province/state, then country — from the structured parts, or from the one-line
 * address when those are missing (Chinese one-line addresses are parsed into province and city).
 */
export class OfflineGeocoder implements GeocodingProvider {
  readonly name = 'offline';

  constructor(readonly gazetteer: Gazetteer) {}

  static async load(): Promise<OfflineGeocoder> {
    return new OfflineGeocoder(await Gazetteer.load());
  }

  geocode(address: GeocodeAddress): Promise<GeocodeResult | null> {
    return Promise.resolve(this.geocodeNow(address));
  }

  /** The same, synchronously: the data is in memory. */
  geocodeNow(address: GeocodeAddress): GeocodeResult | null {
    const singleLine = address.singleLine?.trim() ?? '';
    const chinese = hasHan(singleLine) ? parseChineseAddress(singleLine) : undefined;
    const country = this.countryOf(address, singleLine, chinese);
    if (!country) return null;

    const regionText =
      nonEmpty(address.region) ?? (country.code === 'CN' ? chinese?.province?.full : undefined);
    const region = regionText ? this.gazetteer.regionNamed(country.code, regionText) : undefined;

    for (const candidate of this.cityCandidates(address, singleLine, chinese, country.code)) {
      if (candidate.onlyInRegion && !region) continue;
      const place = this.findPlace(country.code, candidate.text, region);
      if (place) return this.placeResult(place);
    }
    if (region) return regionResult(region);
    return countryResult(country);
  }

  private countryOf(
    address: GeocodeAddress,
    singleLine: string,
    chinese: ChineseAddressParts | undefined,
  ): CountryCentre | undefined {
    const code = nonEmpty(address.countryCode);
    if (code) return this.gazetteer.country(code);
    if (chinese?.saysChina || (address.region && hasHan(address.region))) return this.gazetteer.country('CN');
    // "..., Berlin, Germany": the country is usually the last part.
    for (const part of splitParts(singleLine).reverse()) {
      const named = this.gazetteer.countryNamed(part);
      if (named) return named;
    }
    return undefined;
  }

  private cityCandidates(
    address: GeocodeAddress,
    singleLine: string,
    chinese: ChineseAddressParts | undefined,
    country: string,
  ): CityCandidate[] {
    const city = nonEmpty(address.city);
    if (city) return [{ text: city, onlyInRegion: false }];
    if (chinese) {
      const found: CityCandidate[] = [];
      if (chinese.city) found.push({ text: chinese.city, onlyInRegion: false });
      if (chinese.cityGuess) found.push({ text: chinese.cityGuess, onlyInRegion: true });
      return found;
    }
    // Right to left, leaving out the country and postal codes: "350 5th Ave, New York, NY 10118, USA".
    return splitParts(singleLine)
      .reverse()
      .map((part) => part.replace(/\S*\d\S*/g, ' ').trim())
      .filter((part) => part !== '' && this.gazetteer.countryNamed(part)?.code !== country)
      .map((text) => ({ text, onlyInRegion: false }));
  }

  /**
   * The most important place of that name in the country (and in the region, when the address
   * names one: a city that is not in the stated region is not trusted, the region is used instead).
   */
  private findPlace(country: string, city: string, region: Region | undefined): Place | undefined {
    let lookIn = country;
    let keys: string[];
    if (hasHan(city)) {
      const bare = stripChineseCitySuffix(city);
      const alias = CHINESE_CITY_ALIASES[bare];
      if (alias?.country) lookIn = alias.country;
      keys = [alias ? fold(alias.name) : pinyinKey(bare)];
    } else {
      keys = latinCityKeys(city);
    }
    for (const k of keys) {
      const places = this.gazetteer.placesNamed(lookIn, k);
      const inRegion = region && lookIn === country ? places.filter((p) => p.admin1 === region.code) : places;
      if (inRegion[0]) return inRegion[0];
    }
    return undefined;
  }

  private placeResult(place: Place): GeocodeResult {
    const region = this.gazetteer.region(place.country, place.admin1);
    const normalized: NormalizedAddress = { countryCode: place.country, city: place.name };
    if (region) normalized.region = { code: region.code, name: region.name };
    return { lat: place.lat, lng: place.lng, precision: 'city', source: OfflineSource.GeoNames, normalized };
  }
}

function regionResult(region: Region): GeocodeResult {
  return {
    lat: region.lat,
    lng: region.lng,
    precision: 'region',
    source: OfflineSource.GeoNames,
    normalized: { countryCode: region.country, region: { code: region.code, name: region.name } },
  };
}

function countryResult(country: CountryCentre): GeocodeResult {
  return {
    lat: country.lat,
    lng: country.lng,
    precision: 'country',
    source: OfflineSource.WorldCountries,
    normalized: { countryCode: country.code },
  };
}

function nonEmpty(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === '' ? undefined : trimmed;
}

function splitParts(text: string): string[] {
  return text
    .split(/[,，;；\n]/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
}
