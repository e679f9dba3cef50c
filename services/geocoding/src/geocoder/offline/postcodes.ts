/** The centre of a postal code area and what the data says about the place it belongs to. */
export interface PostcodeArea {
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  /** As looked up: the 5-digit ZIP ("94103"), or the Canadian forward sortation area ("M5V"). */
  readonly code: string;
  readonly lat: number;
  readonly lng: number;
  /** The postal place name ("Beverly Hills"; for Canada the FSA's area, e.g. "Downtown Toronto (...)"). */
  readonly city: string;
  /** US: the state's letters (= GeoNames admin1); Canada: the province's English name. */
  readonly region: string;
}

/** What `zipcodes` returns for a code. */
interface ZipcodesEntry {
  zip: string;
  latitude: number;
  longitude: number;
  city: string;
  state: string;
  country: string;
}

type Lookup = (code: string) => ZipcodesEntry | undefined;

// 12345 or ZIP+4 12345-6789; Canadian K1A 0B1 (letter digit letter, digit letter digit).
const US_ZIP = /(?<![\p{L}\p{N}])(\d{5})(?:-\d{4})?(?![\p{L}\p{N}])/u;
const CA_POSTCODE =
  /(?<![\p{L}\p{N}])([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])[ -]?(\d[ABCEGHJ-NPRSTV-Z]\d)?(?![\p{L}\p{N}])/iu;

/**
 * Postal code centres shipped in npm packages: `zipcodes` 8.0.0 (US ZIP codes, and Canadian
 * forward sortation areas — the first three characters — since a full Canadian code is not in it).
 * Countries without data answer undefined, so the city stays the finest level there.
 */
export class Postcodes {
  private constructor(private readonly lookup: Lookup) {}

  static async load(): Promise<Postcodes> {
    const zipcodes = await import('zipcodes');
    return new Postcodes((code) => zipcodes.lookup(code));
  }

  /** Countries it knows postal codes of. */
  static readonly COUNTRIES: ReadonlySet<string> = new Set(['US', 'CA']);

  /**
   * The area of a postal code written anywhere in `text` ("CA 94103", "94103-1234",
   * "Toronto ON M5V 3L9"), for a country with data.
   */
  find(country: string, text: string): PostcodeArea | undefined {
    if (country === 'US') {
      const code = US_ZIP.exec(text)?.[1];
      return code ? this.area('US', code) : undefined;
    }
    if (country === 'CA') {
      const fsa = CA_POSTCODE.exec(text)?.[1];
      return fsa ? this.area('CA', fsa.toUpperCase()) : undefined;
    }
    return undefined;
  }

  private area(country: string, code: string): PostcodeArea | undefined {
    const entry = this.lookup(code);
    if (!entry) return undefined;
    // The package answers any code it has, whatever the country asked: keep only the right one.
    const entryCountry = entry.country === 'Canada' ? 'CA' : entry.country;
    if (entryCountry !== country) return undefined;
    return {
      country,
      code,
      lat: entry.latitude,
      lng: entry.longitude,
      city: entry.city,
      region: entry.state,
    };
  }
}
