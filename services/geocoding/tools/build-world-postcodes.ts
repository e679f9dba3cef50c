/**
 * Builds services/geocoding/src/geocoder/offline/data/world/postcodes.json: one centre per postal
 * code for the European countries below, from GeoNames' postal code dump (CC BY 4.0) as converted
 * to CSV by zauberware/postal-codes-json-xml-csv (commit a6e8df1e94385a76d8c8c2f8260b2cd020298c19,
 * data/<CC>.zip). Run by hand with the folder holding those zips (never at service start):
 *
 *   node --import tsx services/geocoding/tools/build-world-postcodes.ts /path/to/zips
 *
 * A code listed for several places (a German code shared by villages, a company's own code) is
 * placed at the mean of their points and named after the place listed most often.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

// The form of a code kept per country: FR's "75008 CEDEX" business codes and the like are left out.
const FORMS: Readonly<Record<string, RegExp>> = {
  AT: /^\d{4}$/,
  CH: /^\d{4}$/,
  DE: /^\d{5}$/,
  ES: /^\d{5}$/,
  FR: /^\d{5}$/,
  // GeoNames has only the outward code for Great Britain ("SW1A", "M9").
  GB: /^[A-Z]{1,2}\d[A-Z\d]?$/,
  IT: /^\d{5}$/,
  NL: /^\d{4}$/,
};
const OUT = resolve(__dirname, '../src/geocoder/offline/data/world/postcodes.json');

function csvRow(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

interface Acc {
  lat: number;
  lng: number;
  n: number;
  places: Map<string, number>;
}

function main(): void {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: build-world-postcodes.ts <folder with AT.zip, CH.zip, ...>');
  const out: Record<string, [string, number, number, string][]> = {};
  let total = 0;
  for (const [country, form] of Object.entries(FORMS)) {
    const csv = execFileSync('unzip', ['-p', join(dir, `${country}.zip`), '*.csv'], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    const byCode = new Map<string, Acc>();
    for (const line of csv.split('\n').slice(1)) {
      if (line.trim() === '') continue;
      // country_code,zipcode,place,state,state_code,province,province_code,community,community_code,latitude,longitude
      const f = csvRow(line);
      const code = (f[1] ?? '').trim().toUpperCase();
      const lat = Number(f[9]);
      const lng = Number(f[10]);
      if (!form.test(code) || !Number.isFinite(lat) || !Number.isFinite(lng)) continue;
      const acc = byCode.get(code) ?? { lat: 0, lng: 0, n: 0, places: new Map<string, number>() };
      acc.lat += lat;
      acc.lng += lng;
      acc.n += 1;
      const place = f[2] ?? '';
      acc.places.set(place, (acc.places.get(place) ?? 0) + 1);
      byCode.set(code, acc);
    }
    const rows: [string, number, number, string][] = [];
    for (const [code, acc] of byCode) {
      const place = [...acc.places].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
      const round = (x: number): number => Math.round((x / acc.n) * 1e4) / 1e4;
      rows.push([code, round(acc.lat), round(acc.lng), place]);
    }
    rows.sort((a, b) => a[0].localeCompare(b[0]));
    out[country] = rows;
    total += rows.length;
    console.log(`${country}: ${rows.length} codes`);
  }
  writeFileSync(
    OUT,
    `${JSON.stringify({ source: 'GeoNames postal codes via zauberware/postal-codes-json-xml-csv@a6e8df1', countries: out })}\n`,
  );
  console.log(`${total} codes -> ${OUT}`);
}

main();
