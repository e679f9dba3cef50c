/**
 * The labelled address set of `npm run bench:geocode`: its row type and loader. Built by build.ts
 * from the sources in ./sources (see SOURCES.md).
 */
import fs from 'node:fs';
import path from 'node:path';

export const ADDRESSES_FILE = path.join(__dirname, 'addresses.jsonl');

export const CATEGORIES = ['cn-freeform', 'cn-structured', 'international', 'typo', 'garbage'] as const;
export type Category = (typeof CATEGORIES)[number];

/** One labelled address: what is fed to the geocoder, and what it should find. */
export interface LabelledAddress {
  id: string;
  category: Category;
  /** How the row was derived from its source row (free-form and typo variants). */
  variant: string;
  address: {
    countryCode?: string;
    region?: string;
    city?: string;
    district?: string;
    postalCode?: string;
    streetLines?: string[];
    singleLine?: string;
  };
  /** WGS-84 truth; absent only for garbage, which should get no point. */
  truth?: { lat: number; lng: number };
  /** GB/T 2260 code of the district the address names (Chinese rows whose district is in the code list). */
  districtCode?: string;
  /**
   * Which source the row comes from (SOURCES.md): wikidata-universities-cn, osm-towns-cn,
   * wikidata-districts-cn, wikidata-cities or garbage.
   */
  source: string;
}

/** Reads addresses.jsonl; throws on a row that is not shaped like a LabelledAddress. */
export function loadAddressSet(file: string = ADDRESSES_FILE): LabelledAddress[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      const row = JSON.parse(line) as LabelledAddress;
      if (typeof row.id !== 'string' || !CATEGORIES.includes(row.category) || typeof row.address !== 'object')
        throw new Error(`${path.basename(file)} line ${i + 1} is not a labelled address`);
      return row;
    });
}
