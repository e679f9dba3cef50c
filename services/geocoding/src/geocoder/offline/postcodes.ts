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
  /**
   * US: the state's letters (= GeoNames admin1); Canada: the province's English name; elsewhere
   * undefined (the region then comes from the place).
   */
  readonly region?: string;
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

/** [code, lat, lng, place], as tools/build-world-postcodes.ts writes them. */
type PostcodeRows = readonly (readonly [string, number, number, string])[];

const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{N}])';
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}])';
const digits = (n: number): RegExp =>
  new RegExp(`${NOT_WORD_BEFORE}(?:[A-Z]{1,2}-)?(\\d{${n}})${NOT_WORD_AFTER}`, 'u');

// How each country writes its codes in an address; the capture is the key of the data.
const EUROPEAN_FORMS: Readonly<Record<string, RegExp>> = {
  AT: digits(4),
  CH: digits(4),
  DE: digits(5),
  ES: digits(5),
  FR: digits(5),
  IT: digits(5),
  // "1012 AB": the data has the four digits.
  NL: new RegExp(`${NOT_WORD_BEFORE}(\\d{4})(?:\\s?[A-Z]{2})?${NOT_WORD_AFTER}`, 'iu'),
  // "SW1A 2AA" or just the outward code "SW1A": the data has the outward code.
  GB: new RegExp(`${NOT_WORD_BEFORE}([A-Z]{1,2}\\d[A-Z\\d]?)(?:\\s*\\d[A-Z]{2})?${NOT_WORD_AFTER}`, 'iu'),
};

// 12345 or ZIP+4 12345-6789; Canadian K1A 0B1 (letter digit letter, digit letter digit).
const US_ZIP = /(?<![\p{L}\p{N}])(\d{5})(?:-\d{4})?(?![\p{L}\p{N}])/u;
const CA_POSTCODE =
  /(?<![\p{L}\p{N}])([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])[ -]?(\d[ABCEGHJ-NPRSTV-Z]\d)?(?![\p{L}\p{N}])/iu;

/**
 * Postal code centres: `zipcodes` 8.0.0 (US ZIP codes, and Canadian forward sortation areas —
 * the first three characters — since a full Canadian code is not in it), and GeoNames' postal
 * codes of AT, CH, DE, ES, FR, GB (outward code), IT and NL (data/world/postcodes.json).
 * Countries without data answer undefined, so the city stays the finest level there.
 */
export class Postcodes {
  private constructor(
    private readonly lookup: Lookup,
    private readonly european: ReadonlyMap<
      string,
      ReadonlyMap<string, readonly [string, number, number, string]>
    >,
  ) {}

  static async load(): Promise<Postcodes> {
    const [zipcodes, world] = await Promise.all([import('zipcodes'), import('./data/world/postcodes.json')]);
    const european = new Map<string, Map<string, readonly [string, number, number, string]>>();
    for (const [country, rows] of Object.entries(
      world.countries as unknown as Record<string, PostcodeRows>,
    )) {
      european.set(country, new Map(rows.map((row) => [row[0], row])));
    }
    return new Postcodes((code) => zipcodes.lookup(code), european);
  }

  /** Countries it knows postal codes of. */
  static readonly COUNTRIES: ReadonlySet<string> = new Set(['US', 'CA', ...Object.keys(EUROPEAN_FORMS)]);

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
    const form = EUROPEAN_FORMS[country];
    const code = form?.exec(text)?.[1]?.toUpperCase();
    const row = code ? this.european.get(country)?.get(code) : undefined;
    return row ? { country, code: row[0], lat: row[1], lng: row[2], city: row[3] } : undefined;
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
