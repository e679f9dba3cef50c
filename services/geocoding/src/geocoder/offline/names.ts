import { pinyin } from 'pinyin-pro';

// Letters that NFKD does not decompose into a base letter plus a combining mark.
const SPECIAL_LETTERS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};
const SPECIAL = new RegExp(`[${Object.keys(SPECIAL_LETTERS).join('')}]`, 'g');

/**
 * The key place names are compared by: case, diacritics, spaces and punctuation do not count
 * ("Xi’an" = "xian", "São Paulo" = "sao paulo", "Frankfurt am Main" = "frankfurtammain").
 * Han characters are kept as they are.
 */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(SPECIAL, (c) => SPECIAL_LETTERS[c] ?? c)
    .replace(/[^\p{L}\p{N}]/gu, '');
}

const HAN = /\p{Script=Han}/u;

export function hasHan(text: string): boolean {
  return HAN.test(text);
}

/** Toneless pinyin of Chinese text, folded: "深圳" -> "shenzhen", "重庆" -> "chongqing". */
export function pinyinKey(text: string): string {
  return fold(pinyin(text, { toneType: 'none', type: 'array', nonZh: 'consecutive' }).join(''));
}

// Administrative suffixes that ERPs write or leave out at will: "Shenzhen Shi", "Guangdong Province".
const LATIN_CITY_SUFFIX = /\s+(city|shi|municipality|prefecture)$/i;
const LATIN_CITY_PREFIX = /^city of\s+/i;
const LATIN_REGION_SUFFIX = /\s+(province|sheng|state|region|autonomous region|zizhiqu|shi|municipality)$/i;
const LATIN_REGION_PREFIX = /^(state|province|region) of\s+/i;

/** A city's name without "City of" or "Shi"/"City" around it, folded: what typos are measured on. */
export function bareCityKey(city: string): string {
  return fold(city.trim().replace(LATIN_CITY_PREFIX, '').replace(LATIN_CITY_SUFFIX, ''));
}

/** The keys a city given in Latin script may be listed under, most literal first. */
export function latinCityKeys(city: string): string[] {
  const trimmed = city.trim();
  const bare = trimmed.replace(LATIN_CITY_PREFIX, '').replace(LATIN_CITY_SUFFIX, '');
  // GeoNames names some cities "X City" ("New York City", "Mexico City", "Kuwait City").
  const keys = [fold(trimmed), fold(bare), `${fold(bare)}city`, withoutUmlautSpelling(fold(bare))];
  // Last, shorter forms: "Menden (Sauerland)" -> Menden, "Chișinău / Kischinjow" -> each name,
  // "Weiden in der Oberpfalz" -> Weiden (GeoNames keeps the qualifier only where it tells two
  // towns apart, as in "Frankfurt am Main", which the literal key finds first).
  const shorter = bare.replace(/\s*\([^)]*\)\s*/g, ' ').trim();
  for (const part of shorter.split(/\s*\/\s*/)) {
    keys.push(fold(part), fold(part.replace(GERMAN_QUALIFIER, '')));
  }
  return unique(keys);
}

const GERMAN_QUALIFIER = /\s+(?:in der|an der|ob der|am|im|an|bei|vor der)\s+\S.*$/i;

/**
 * German and Scandinavian writers without the keys spell ä, ö, ü as ae, oe, ue ("Koeln",
 * "Zuerich", "Duesseldorf"); folding turns the umlaut into the bare vowel, so the "e" goes too.
 * Only tried after the literal key, since real names have these pairs ("Kaesong", "Lueneburg").
 */
export function withoutUmlautSpelling(folded: string): string {
  return folded.replace(/([aou])e/g, '$1');
}

export function latinRegionKeys(region: string): string[] {
  const trimmed = region.trim();
  const bare = trimmed.replace(LATIN_REGION_PREFIX, '').replace(LATIN_REGION_SUFFIX, '');
  return unique([fold(trimmed), fold(bare)]);
}

export function unique(keys: string[]): string[] {
  return [...new Set(keys.filter((k) => k !== ''))];
}
