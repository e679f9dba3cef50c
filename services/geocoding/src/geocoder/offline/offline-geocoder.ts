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
import { ChineseGeocoder } from './china/china-geocoder';
import { Gazetteer, type CountryCentre, type Place, type Region } from './gazetteer';
import { bareCityKey, fold, hasHan, latinCityKeys, pinyinKey } from './names';
import { Postcodes, type PostcodeArea } from './postcodes';
import { TypoIndex } from './typo-index';

/** Source names written into every result (and the customer-geocoded event). */
export const OfflineSource = {
  GeoNames: 'geonames',
  WorldCountries: 'world-countries',
  Zipcodes: 'zipcodes',
} as const;

/** How far (km) a postcode's centre may lie from the named city for the two to agree. */
const POSTCODE_CITY_AGREEMENT_KM = 30;

/** A city found for the address, and how: by one of its names, or by correcting a typo. */
interface CityMatch {
  place: Place;
  /** Edits needed to reach the name (0: as written, up to case, diacritics and spacing). */
  edits: number;
  /** Another important place has the same name and no region told them apart. */
  ambiguous: boolean;
}

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

  private readonly typos: TypoIndex;

  constructor(
    readonly gazetteer: Gazetteer,
    private readonly postcodes?: Postcodes,
  ) {
    this.typos = new TypoIndex((country) => gazetteer.namesIn(country));
  }

  static async load(): Promise<OfflineGeocoder> {
    const [gazetteer, postcodes] = await Promise.all([Gazetteer.load(), Postcodes.load()]);
    return new OfflineGeocoder(gazetteer, postcodes);
  }

  geocode(address: GeocodeAddress): Promise<GeocodeResult | null> {
    return Promise.resolve(this.geocodeNow(address));
  }

  /** Chinese addresses to the district (GB/T 2260 data); undefined leaves them to GeoNames. */
  private china?: ChineseGeocoder;

  /** The same, synchronously: the data is in memory. */
  geocodeNow(address: GeocodeAddress): GeocodeResult | null {
    this.china ??= new ChineseGeocoder(this.gazetteer, (city, region) => this.findPlace('CN', city, region));
    const inChina = this.china.geocode(address);
    if (inChina) return inChina;
    const singleLine = address.singleLine?.trim() ?? '';
    const chinese = hasHan(singleLine) ? parseChineseAddress(singleLine) : undefined;
    const country = this.countryOf(address, singleLine, chinese);
    if (!country) return null;

    const regionText =
      nonEmpty(address.region) ?? (country.code === 'CN' ? chinese?.province?.full : undefined);
    const region = regionText ? this.gazetteer.regionNamed(country.code, regionText) : undefined;

    const candidates = this.cityCandidates(address, singleLine, chinese, country.code).filter(
      (candidate) => !candidate.onlyInRegion || region,
    );
    let city: CityMatch | undefined;
    for (const candidate of candidates) {
      const place = this.findPlace(country.code, candidate.text, region);
      if (place) {
        city = { place, edits: 0, ambiguous: !region && this.sharesName(place, candidate.text) };
        break;
      }
    }
    city ??= this.findTypo(country.code, candidates, region);

    const postcodeText = nonEmpty(address.postalCode) ?? singleLine;
    const area = postcodeText ? this.postcodes?.find(country.code, postcodeText) : undefined;
    const postcode = area ? this.postcodeResult(area, region, city, candidates.length > 0) : undefined;
    if (postcode) return postcode;
    if (city) return this.placeResult(city.place, cityConfidence(city, region, area !== undefined));
    if (region) return regionResult(region);
    return countryResult(country);
  }

  /** Whether another place of at least a tenth of its population is listed under the same name. */
  private sharesName(place: Place, text: string): boolean {
    const keys = hasHan(text) ? [] : latinCityKeys(text);
    return keys.some((k) =>
      this.gazetteer
        .placesNamed(place.country, k)
        .some((other) => other !== place && other.population * 10 >= place.population),
    );
  }

  /** The place a postcode names, if GeoNames lists one of that name near the code's centre. */
  private placeOfPostcode(area: PostcodeArea): Place | undefined {
    let nearest: Place | undefined;
    for (const k of latinCityKeys(area.city)) {
      for (const place of this.gazetteer.placesNamed(area.country, k)) {
        if (!nearest || distanceKm(place, area) < distanceKm(nearest, area)) nearest = place;
      }
      if (nearest) break;
    }
    return nearest && distanceKm(nearest, area) <= POSTCODE_CITY_AGREEMENT_KM ? nearest : undefined;
  }

  /**
   * A misspelt city ("Londn", "Barcelna", "Frankfrut"): the names within one or two edits, the
   * fewest edits first, then the most populous (inside the region, when the address names one).
   * Only the two right-most parts of a one-line address are tried: the others are streets.
   * Short names (5 letters or fewer) are corrected only to towns of 15,000 or more, where one
   * edit away lies a village for almost any word.
   */
  private findTypo(country: string, candidates: readonly CityCandidate[], region: Region | undefined) {
    for (const candidate of candidates.slice(0, 2)) {
      if (hasHan(candidate.text)) continue;
      const folded = bareCityKey(candidate.text);
      let best: CityMatch | undefined;
      for (const near of this.typos.near(country, folded)) {
        if (best && near.distance > best.edits) break;
        for (const place of this.gazetteer.placesNamed(country, near.name)) {
          if (region && place.admin1 !== region.code) continue;
          if (folded.length <= 5 && place.population < 15_000) continue;
          if (!best || place.population > best.place.population) {
            best = { place, edits: near.distance, ambiguous: false };
          }
        }
      }
      if (best) return best;
    }
    return undefined;
  }

  /**
   * The postcode's centre when it belongs to the stated region and to the city found (within
   * 30 km); when no city was named or the named one is unknown, the postcode alone. A postcode
   * that contradicts the region or the city is not used: the city (or region) answers instead.
   */
  private postcodeResult(
    area: PostcodeArea,
    region: Region | undefined,
    city: CityMatch | undefined,
    cityNamed: boolean,
  ): GeocodeResult | undefined {
    // European codes name a place, not a region: the GeoNames place of that name nearest the
    // code's centre gives both.
    const areaPlace = area.region === undefined ? this.placeOfPostcode(area) : undefined;
    const areaRegion =
      area.region === undefined
        ? areaPlace && this.gazetteer.region(area.country, areaPlace.admin1)
        : area.country === 'US'
          ? this.gazetteer.region('US', area.region)
          : this.gazetteer.regionNamed(area.country, area.region);
    if (region && areaRegion && region.code !== areaRegion.code) return undefined;
    let confidence: number;
    if (city) {
      if (distanceKm(city.place, area) > POSTCODE_CITY_AGREEMENT_KM) return undefined;
      confidence = city.edits === 0 ? 0.95 : 0.85;
    } else {
      confidence = cityNamed ? 0.75 : 0.85;
    }
    const normalized: NormalizedAddress = {
      countryCode: area.country,
      city: city?.place.name ?? areaPlace?.name ?? area.city.replace(/\s*\(.*$/, ''),
    };
    const outRegion = areaRegion ?? (city && this.gazetteer.region(city.place.country, city.place.admin1));
    if (outRegion) normalized.region = { code: outRegion.code, name: outRegion.name };
    return {
      lat: area.lat,
      lng: area.lng,
      precision: 'postcode',
      source: OfflineSource.Zipcodes,
      confidence,
      normalized,
    };
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
      const romanised = alias ? fold(alias.name) : pinyinKey(bare);
      // Japanese, Korean and Taiwanese cities written in Han characters are listed under
      // GeoNames' alternate names as written ("東京", "臺北"); their pinyin means nothing there.
      keys = lookIn === 'CN' ? [romanised, fold(city), fold(bare)] : [fold(city), fold(bare), romanised];
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

  private placeResult(place: Place, confidence: number): GeocodeResult {
    const region = this.gazetteer.region(place.country, place.admin1);
    const normalized: NormalizedAddress = { countryCode: place.country, city: place.name };
    if (region) normalized.region = { code: region.code, name: region.name };
    return {
      lat: place.lat,
      lng: place.lng,
      precision: 'city',
      source: OfflineSource.GeoNames,
      confidence,
      normalized,
    };
  }
}

/**
 * 0.9 for a city found by one of its names; less when several important places share the name
 * and no region chose, when a typo had to be corrected (more so for two edits), or when the
 * address's postcode points elsewhere.
 */
function cityConfidence(city: CityMatch, region: Region | undefined, postcodeDisagrees: boolean): number {
  let confidence = city.edits === 0 ? 0.9 : city.edits === 1 ? 0.7 : 0.55;
  if (city.edits > 0 && region) confidence += 0.1;
  if (city.ambiguous) confidence -= 0.2;
  if (postcodeDisagrees) confidence -= 0.2;
  return Math.round(confidence * 100) / 100;
}

function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 12_742 * Math.asin(Math.sqrt(h));
}

function regionResult(region: Region): GeocodeResult {
  return {
    lat: region.lat,
    lng: region.lng,
    precision: 'region',
    source: OfflineSource.GeoNames,
    confidence: 0.5,
    normalized: { countryCode: region.country, region: { code: region.code, name: region.name } },
  };
}

function countryResult(country: CountryCentre): GeocodeResult {
  return {
    lat: country.lat,
    lng: country.lng,
    precision: 'country',
    source: OfflineSource.WorldCountries,
    confidence: 0.2,
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
