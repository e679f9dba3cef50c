/**
 * Finding invoice numbers in what payers write. Payers type them with spaces and dashes where the
 * ERP has none, drop or change the prefix (`No.`, `发票号`, `INV`), and bank OCR of paper slips
 * swaps look-alike characters. Both sides — the invoice numbers in the book and the windows of the
 * remittance text — are reduced to the same index keys, so a look-up is an exact key match that a
 * database can do with an index; what kind of match it was (exact, OCR-corrected, without prefix,
 * one typo) is worked out afterwards from the strings themselves, for the confidence and evidence.
 */

/** OCR and typing confusions, letter → digit (the digit is the canonical side). */
const CONFUSABLE: Readonly<Record<string, string>> = { O: '0', Q: '0', I: '1', L: '1', S: '5', B: '8' };

/** Shortest prefix-less core that is looked up at all: shorter ones are years, days, counts. */
export const MIN_CORE_LENGTH = 5;
/** Shortest core that may match with one typo: below this, one edit reaches too many numbers. */
export const MIN_FUZZY_CORE_LENGTH = 7;
/** Words payers put before any number; they do not say which kind of document it is. */
const GENERIC_PREFIX = /^(NO|NR|NUM|NUMBER|INV|INVOICE|INVNO|FP|REF|RE|PAY|PMT|BILL)$/;
/** The words for other documents (orders, contracts, delivery notes, phones) right before a number. */
const OTHER_DOCUMENT =
  /(?:\b(?:PO|P\.O\.|SO|ORDER|ORD|HT|CONTRACT|DN|DO|GRN|QUOTE|TEL|PHONE|ACCT|A\/C)|订单号?|合同号?|采购单?号?|送货单号?|电话|账号)[\s\-_/.#:：]{0,3}$/i;
/** Most chunks joined into one window (`INV 2026 11 0042` is four). */
const MAX_WINDOW_CHUNKS = 5;
/** What may stand between two chunks of one number: a space, dash, slash, dot, colon, hash. */
const JOINER = /^[\s\-_/.#:]{1,3}$/;

/** NFKC (full-width → ASCII), upper case, letters and digits only. */
export function compactUpper(text: string): string {
  return text
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}

function mapConfusables(compact: string): string {
  let out = '';
  for (const ch of compact) out += CONFUSABLE[ch] ?? ch;
  return out;
}

/** The key both sides meet on: compact, look-alike letters read as digits. */
export function canonicalNumber(text: string): string {
  return mapConfusables(compactUpper(text));
}

/** The number without its leading letters (`INV20260042` → `20260042`), canonical; '' when none. */
export function numberCore(compact: string): string {
  return mapConfusables(compact.replace(/^[A-Z]+/, ''));
}

function deletions(core: string): string[] {
  const out = new Set<string>();
  for (let i = 0; i < core.length; i++) out.add(core.slice(0, i) + core.slice(i + 1));
  return [...out];
}

/**
 * Index keys of an invoice number: `F:` the whole canonical number, `C:` its core, and `D:` every
 * core with one character deleted (symmetric-delete: two strings within one edit share a key).
 */
export function invoiceNumberIndexKeys(number: string): string[] {
  const compact = compactUpper(number);
  if (compact === '') return [];
  const keys = [`F:${mapConfusables(compact)}`];
  const core = numberCore(compact);
  if (core.length >= MIN_CORE_LENGTH) keys.push(`C:${core}`);
  if (core.length >= MIN_FUZZY_CORE_LENGTH) for (const d of deletions(core)) keys.push(`D:${d}`);
  return keys;
}

/** A stretch of text that may be an invoice number. */
export interface NumberMention {
  /** The text as written, e.g. `lNV 2O26-0O42`. */
  raw: string;
  /** Letters and digits as written (case kept, for the evidence). */
  written: string;
  compact: string;
  canonical: string;
  core: string;
  /** Where it was found, for the evidence (`remittance`, `creditor reference`, `end-to-end id`). */
  source: string;
  /** Written right after the number of another kind of document (`PO 4500…`, `合同号 …`). */
  otherDocument: boolean;
}

/**
 * Every window of one to five alphanumeric chunks joined only by spaces, dashes, slashes, dots
 * or colons — so `INV 2026 0042`, `No.2026-0042` and `发票号:20260042` each yield the number, while
 * a comma or a Chinese character between two numbers keeps them apart.
 */
export function extractNumberMentions(text: string, source: string): NumberMention[] {
  const normalised = text.normalize('NFKC');
  const chunks: { start: number; end: number }[] = [];
  for (const m of normalised.matchAll(/[A-Za-z0-9]+/g)) {
    chunks.push({ start: m.index, end: m.index + m[0].length });
  }
  const mentions: NumberMention[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < chunks.length; i++) {
    for (let j = i; j < chunks.length && j < i + MAX_WINDOW_CHUNKS; j++) {
      if (j > i) {
        const gap = normalised.slice(
          (chunks[j - 1] as { end: number }).end,
          (chunks[j] as { start: number }).start,
        );
        if (!JOINER.test(gap)) break;
      }
      const raw = normalised.slice(
        (chunks[i] as { start: number }).start,
        (chunks[j] as { end: number }).end,
      );
      const compact = compactUpper(raw);
      if (compact.length < MIN_CORE_LENGTH || compact.length > 32 || seen.has(compact)) continue;
      // Something must look like a number: pure words ("PAYMENT") are never invoice numbers.
      if (!/[0-9]/.test(compact)) continue;
      seen.add(compact);
      const written = raw.replace(/[^A-Za-z0-9]/g, '');
      const start = (chunks[i] as { start: number }).start;
      const otherDocument = OTHER_DOCUMENT.test(normalised.slice(Math.max(0, start - 8), start));
      mentions.push({
        raw,
        written,
        compact,
        canonical: mapConfusables(compact),
        core: numberCore(compact),
        source,
        otherDocument,
      });
    }
  }
  return mentions;
}

/** The keys to look a mention up by (see invoiceNumberIndexKeys for the other side). */
export function mentionQueryKeys(mention: NumberMention): string[] {
  const keys = [`F:${mention.canonical}`];
  if (mention.core.length >= MIN_CORE_LENGTH) {
    keys.push(`C:${mention.core}`);
    if (mention.core.length >= MIN_FUZZY_CORE_LENGTH - 1) {
      keys.push(`D:${mention.core}`);
      for (const d of deletions(mention.core)) keys.push(`C:${d}`, `D:${d}`);
    }
  }
  return keys;
}

export type NumberMatchKind = 'exact' | 'ocr_corrected' | 'without_prefix' | 'one_typo';

export interface NumberMatch {
  kind: NumberMatchKind;
  /** e.g. ["O→0", "l→1"] for an OCR-corrected match. */
  corrections: string[];
}

function corrections(written: string, expected: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < written.length && i < expected.length; i++) {
    const w = written[i] as string;
    const e = expected[i] as string;
    if (w.toUpperCase() !== e) out.push(`${w}→${e}`);
  }
  return [...new Set(out)];
}

/**
 * Optimal-string-alignment distance, capped: typed numbers lose, gain, change or swap one
 * character, and a swap is one typo, not two (plain Levenshtein would say two).
 */
export function osaDistance(a: string, b: string, cap = 2): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = new Array<number>(b.length + 1).fill(0);
    row[0] = i;
    rows.push(row);
  }
  const at = (i: number, j: number): number => (rows[i] as number[])[j] as number;
  for (let j = 0; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = d;
    }
  }
  return at(a.length, b.length);
}

/**
 * Exactly one insertion, deletion, substitution or swap of neighbours apart; O(n), no table (this
 * runs for every candidate pair of every payment).
 */
export function isOneEditApart(a: string, b: string): boolean {
  if (a === b) return false;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (long.length - short.length > 1) return false;
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  if (short.length === long.length) {
    // Substitution at i, or a swap of i and i + 1.
    if (short.slice(i + 1) === long.slice(i + 1)) return true;
    return short[i] === long[i + 1] && short[i + 1] === long[i] && short.slice(i + 2) === long.slice(i + 2);
  }
  return short.slice(i) === long.slice(i + 1);
}

/**
 * How a mention matches an invoice number, or null. Tried from the surest kind down; a written
 * prefix that differs from the invoice's (`SO2026…` for `INV2026…`) is not a match by the core
 * alone, because the prefix then says it is another document.
 */
export function matchMention(mention: NumberMention, number: string): NumberMatch | null {
  const compact = compactUpper(number);
  if (compact === '') return null;
  if (mention.compact === compact) return { kind: 'exact', corrections: [] };
  if (mention.canonical === mapConfusables(compact)) {
    return { kind: 'ocr_corrected', corrections: corrections(mention.written, compact) };
  }
  const core = numberCore(compact);
  if (core.length < MIN_CORE_LENGTH) return null;
  const writtenPrefix = /^[A-Z]+/.exec(mention.compact)?.[0] ?? '';
  const ownPrefix = /^[A-Z]+/.exec(compact)?.[0] ?? '';
  const prefixConflicts =
    writtenPrefix !== '' &&
    !GENERIC_PREFIX.test(writtenPrefix) &&
    mapConfusables(writtenPrefix) !== mapConfusables(ownPrefix);
  if (mention.otherDocument) return null;
  if (mention.core === core) {
    if (prefixConflicts) return null;
    const writtenCore = mention.written.slice(writtenPrefix.length);
    const expectedCore = compact.replace(/^[A-Z]+/, '');
    return { kind: 'without_prefix', corrections: corrections(writtenCore, expectedCore) };
  }
  if (
    !prefixConflicts &&
    core.length >= MIN_FUZZY_CORE_LENGTH &&
    mention.core.length >= MIN_FUZZY_CORE_LENGTH - 1 &&
    isOneEditApart(mention.core, core)
  ) {
    return { kind: 'one_typo', corrections: [] };
  }
  return null;
}
