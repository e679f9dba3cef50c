import { distance } from 'fastest-levenshtein';
import * as OpenCC from 'opencc-js';

/**
 * Payer names as banks print them: full-width letters from Chinese bank systems, traditional
 * characters from Hong Kong and Taiwan banks, cut after 20 characters, with or without the legal
 * form (有限公司, Co., Ltd., GmbH) and with a branch (上海分公司) added. Both the customer names
 * in the book and the payer name are reduced to one comparable form before any comparison.
 */

// Hong Kong traditional to mainland simplified: the OpenCC tables (phrase-aware, e.g. 臺→台).
const toSimplified = OpenCC.Converter({ from: 'hk', to: 'cn' });

/** Legal forms and branch words, longest first, stripped from the end (repeatedly). */
const CHINESE_SUFFIXES = [
  '股份有限公司',
  '有限责任公司',
  '有限公司',
  '集团公司',
  '分公司',
  '总公司',
  '公司',
  '集团',
  '商行',
  '厂',
];
const LATIN_SUFFIXES = [
  'co ltd',
  'company limited',
  'co limited',
  'limited',
  'ltd',
  'gmbh',
  'bv',
  'b v',
  'inc',
  'incorporated',
  'llc',
  'corp',
  'corporation',
  'company',
  'co',
  'plc',
  'ag',
  'sa',
  'pte',
  'pty',
  'kg',
];
const CJK = /[\u3400-\u9fff]/;

export interface NormalisedName {
  /** No spaces: what similarity is measured on. */
  key: string;
  /** Latin words (for index keys); Chinese runs are one token each. */
  tokens: string[];
  /** `ltd`, `gmbh`, `有限公司`…: the outermost legal form written, if any. */
  legalForm: string | null;
}

/** The legal form a suffix says, so "… GmbH" and "… LLC" of one trading name can be told apart. */
const LEGAL_FORMS: Readonly<Record<string, string>> = {
  股份有限公司: '股份有限公司',
  有限责任公司: '有限责任公司',
  有限公司: '有限公司',
  'co ltd': 'ltd',
  'company limited': 'ltd',
  'co limited': 'ltd',
  limited: 'ltd',
  ltd: 'ltd',
  gmbh: 'gmbh',
  bv: 'bv',
  'b v': 'bv',
  inc: 'inc',
  incorporated: 'inc',
  llc: 'llc',
  corp: 'corp',
  corporation: 'corp',
  plc: 'plc',
  ag: 'ag',
  sa: 'sa',
};

function stripSuffixes(text: string): { text: string; legalForm: string | null } {
  let out = text.trim();
  let legalForm: string | null = null;
  const stripped = (suffix: string): void => {
    legalForm ??= LEGAL_FORMS[suffix] ?? null;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const suffix of CHINESE_SUFFIXES) {
      if (out.length > suffix.length + 1 && out.endsWith(suffix)) {
        out = out.slice(0, -suffix.length).trim();
        stripped(suffix);
        changed = true;
      }
    }
    for (const suffix of LATIN_SUFFIXES) {
      if (out.length > suffix.length + 2 && out.endsWith(` ${suffix}`)) {
        out = out.slice(0, -suffix.length - 1).trim();
        stripped(suffix);
        changed = true;
      }
    }
    // Cut off by the bank mid-suffix ("…科技有限公", "…科技有限"): drop the stub.
    const stub = /(有限责任公?|股份有限公?|股份有限|有限公|有限)$/.exec(out);
    if (stub !== null && out.length > stub[0].length + 1) {
      out = out.slice(0, -stub[0].length).trim();
      changed = true;
    }
  }
  return { text: out, legalForm };
}

/**
 * Full-width → ASCII (NFKC), traditional → simplified, lower case, punctuation and brackets → space,
 * legal forms and branch words removed from the end.
 */
export function normaliseCompanyName(name: string): NormalisedName {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  const normalised = normalise(name);
  cache.set(name, normalised);
  return normalised;
}

// Customer names are normalised on every payment that names a similar payer; OpenCC and the
// suffix rules cost ~50 µs a name. A bounded cache, cleared whole when full (no LRU bookkeeping).
const CACHE_LIMIT = 50_000;
const cache = new Map<string, NormalisedName>();

function normalise(name: string): NormalisedName {
  let text = toSimplified(name.normalize('NFKC')).toLowerCase();
  // "Acme Trading Co.,Ltd." → "acme trading co ltd"; apostrophes join ("O'Neil" → "oneil").
  text = text.replace(/['’]/g, '').replace(/[^\p{L}\p{N}]+/gu, ' ');
  // Chinese text and Latin words next to each other are separate tokens.
  text = text
    .replace(/([\u3400-\u9fff])([a-z0-9])/g, '$1 $2')
    .replace(/([a-z0-9])([\u3400-\u9fff])/g, '$1 $2');
  const { text: core, legalForm } = stripSuffixes(text.replace(/\s+/g, ' '));
  const tokens = core.split(' ').filter((t) => t !== '');
  return { key: tokens.join(''), tokens, legalForm };
}

/**
 * Index keys for the name look-up: Chinese character pairs (`B:华联`) and Latin words (`W:acme`)
 * plus their first four letters (`P:acme`), which survive a typo later in the word.
 */
export function customerNameIndexKeys(name: string): string[] {
  const { tokens } = normaliseCompanyName(name);
  const keys = new Set<string>();
  for (const token of tokens) {
    if (CJK.test(token)) {
      const chars = [...token];
      if (chars.length === 1) keys.add(`B:${token}`);
      for (let i = 0; i + 1 < chars.length; i++) keys.add(`B:${chars[i] as string}${chars[i + 1] as string}`);
    } else if (token.length >= 2) {
      keys.add(`W:${token}`);
      if (token.length > 4) keys.add(`P:${token.slice(0, 4)}`);
    }
  }
  return [...keys];
}

/**
 * 0..1, how alike two normalised names are: 1 equal; a name inside the other (the payer wrote the
 * short name, or the bank added a branch or cut the end) 0.88-0.98 by how much of the longer one
 * it covers; otherwise 1 − edit distance / longer length.
 */
export function nameSimilarity(a: string, b: string): number {
  if (a === '' || b === '') return 0;
  if (a === b) return 1;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const minContained = CJK.test(short) ? 3 : 5;
  let score = 1 - distance(a, b) / Math.max(a.length, b.length);
  if (short.length >= minContained && long.includes(short)) {
    score = Math.max(score, 0.88 + 0.1 * (short.length / long.length));
  }
  return score;
}

/** The best similarity between a payer's name and any of a customer's names. */
export function bestNameSimilarity(payer: string, names: readonly string[]): { score: number; name: string } {
  const written = normaliseCompanyName(payer);
  let best = { score: 0, name: '' };
  for (const name of names) {
    const registered = normaliseCompanyName(name);
    let score = nameSimilarity(written.key, registered.key);
    // Both name a legal form and they differ: "Acme Trading GmbH" is not "Acme Trading LLC".
    if (
      written.legalForm !== null &&
      registered.legalForm !== null &&
      written.legalForm !== registered.legalForm
    ) {
      score = Math.max(0, score - LEGAL_FORM_MISMATCH);
    }
    if (score > best.score) best = { score, name };
  }
  return best;
}

/** What a different legal form costs: enough to separate two companies of one trading name. */
export const LEGAL_FORM_MISMATCH = 0.05;

/** Accounts compare without spaces, dashes and case (IBANs are printed in groups of four). */
export function normaliseAccount(account: string): string {
  return account
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}
