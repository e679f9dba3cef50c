/** A name of the index within a few edits of the one asked for. */
export interface NearName {
  /** The folded name as the gazetteer lists it. */
  readonly name: string;
  /** Optimal string alignment distance: insertions, deletions, substitutions, swaps of neighbours. */
  readonly distance: number;
}

/** Names shorter than this are not corrected: "Pari" -> "Paris" is a guess, "Rom" -> "Roma" a coin toss. */
export const MIN_TYPO_LENGTH = 4;

/** One edit for short names, two from this length on ("Barcelna", "Frankfrut am Mian"). */
const TWO_EDITS_FROM = 8;

const START = '\u0002';
const END = '\u0003';

/**
 * Finds the place names within one or two edits of a misspelt one ("Londn" -> london, "Barcelna"
 * -> barcelona), per country. Each country's index maps the trigrams of its names (padded with
 * start and end marks) to the names holding them; a query counts shared trigrams only over the
 * posting lists of its own trigrams, keeps names sharing enough of them for the allowed edits
 * (an edit changes at most three trigrams, a swap of neighbours four) and of a length within reach, then measures those
 * exactly. Built the first time a country is asked about, so boot pays nothing for it.
 */
export class TypoIndex {
  private readonly countries = new Map<string, CountryTypoIndex>();

  constructor(private readonly namesIn: (country: string) => readonly string[]) {}

  /** Names of the country within reach of `folded`, closest first (ties keep index order). */
  near(country: string, folded: string): NearName[] {
    const length = [...folded].length;
    if (length < MIN_TYPO_LENGTH) return [];
    let index = this.countries.get(country);
    if (!index) {
      index = new CountryTypoIndex(this.namesIn(country));
      this.countries.set(country, index);
    }
    return index.near(folded, length >= TWO_EDITS_FROM ? 2 : 1);
  }
}

class CountryTypoIndex {
  private readonly names: string[] = [];
  private readonly lengths: number[] = [];
  private readonly postings = new Map<string, number[]>();
  private readonly counts: Uint16Array;

  constructor(names: readonly string[]) {
    for (const name of names) {
      const chars = [...name];
      if (chars.length < MIN_TYPO_LENGTH - 1) continue;
      const id = this.names.length;
      this.names.push(name);
      this.lengths.push(chars.length);
      for (const gram of trigrams(chars)) {
        const list = this.postings.get(gram);
        if (list) list.push(id);
        else this.postings.set(gram, [id]);
      }
    }
    this.counts = new Uint16Array(this.names.length);
  }

  near(folded: string, maxEdits: number): NearName[] {
    const chars = [...folded];
    const grams = trigrams(chars);
    const needed = Math.max(1, grams.size - 4 * maxEdits);
    const touched: number[] = [];
    for (const gram of grams) {
      const list = this.postings.get(gram);
      if (!list) continue;
      for (const id of list) {
        if (this.counts[id] === 0) touched.push(id);
        this.counts[id] = (this.counts[id] ?? 0) + 1;
      }
    }
    const found: NearName[] = [];
    for (const id of touched) {
      const shared = this.counts[id] ?? 0;
      this.counts[id] = 0;
      if (shared < needed || Math.abs((this.lengths[id] ?? 0) - chars.length) > maxEdits) continue;
      const name = this.names[id] ?? '';
      const distance = osaDistance(chars, [...name], maxEdits);
      if (distance <= maxEdits) found.push({ name, distance });
    }
    return found.sort((a, b) => a.distance - b.distance);
  }
}

function trigrams(chars: readonly string[]): Set<string> {
  const padded = [START, ...chars, END];
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3).join(''));
  return grams;
}

/**
 * Optimal string alignment distance (Damerau-Levenshtein without re-editing a swapped pair),
 * abandoned as soon as a whole row exceeds `max`: the answer is then anything above `max`.
 */
export function osaDistance(a: readonly string[], b: readonly string[], max = Infinity): number {
  const n = b.length;
  let before = new Array<number>(n + 1).fill(0);
  let previous = Array.from({ length: n + 1 }, (_, j) => j);
  let current = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] ?? 0) + 1);
      }
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > max) return max + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[n] ?? 0;
}
