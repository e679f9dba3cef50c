/**
 * ISO 11649 structured creditor references: `RF` + two check digits + up to 21 letters and digits,
 * checked like an IBAN (move the first four characters to the end, letters → 10..35, mod 97 = 1).
 * A valid one was made by the creditor's own system, so its body is the surest reference there is;
 * an invalid one was mistyped somewhere, and its body is read like any remittance text.
 */

export type CreditorReference = (
  | { valid: true; reference: string; body: string }
  | { valid: false; reference: string; body: string; reason: string }
) & {
  /** The text it was read from, as written (found in free text: to cut it out). */
  written: string;
};

const SHAPE = /^RF(\d{2})([A-Z0-9]{1,21})$/;

function mod97(digitsAndLetters: string): number {
  let remainder = 0;
  for (const ch of digitsAndLetters) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder;
}

/** Reads `RF18 5390 0754 7034` (spaces, full-width, lower case tolerated); null when it is not RF-shaped. */
export function parseCreditorReference(text: string): CreditorReference | null {
  const compact = text.normalize('NFKC').toUpperCase().replace(/[\s-]/g, '');
  if (!compact.startsWith('RF')) return null;
  const written = text;
  const match = SHAPE.exec(compact);
  if (match === null) {
    return {
      valid: false,
      reference: compact,
      body: compact.slice(4),
      reason: 'not RF + 2 check digits + 1-21 letters or digits',
      written,
    };
  }
  const body = match[2] as string;
  if (mod97(body + 'RF' + (match[1] as string)) !== 1) {
    return { valid: false, reference: compact, body, reason: 'check digits do not match (mod 97)', written };
  }
  return { valid: true, reference: compact, body, written };
}

/** The RF reference for a body (what a creditor prints on its invoice); throws on a bad body. */
export function creditorReferenceFor(body: string): string {
  const clean = body.toUpperCase();
  if (!/^[A-Z0-9]{1,21}$/.test(clean)) throw new Error(`RF body must be 1-21 letters or digits, got ${body}`);
  const check = 98 - mod97(clean + 'RF00');
  return `RF${String(check).padStart(2, '0')}${clean}`;
}

/** RF references written inside free text (`... RF18539007547034 ...`). */
export function findCreditorReferences(text: string): CreditorReference[] {
  const out: CreditorReference[] = [];
  for (const m of text.normalize('NFKC').matchAll(/\bRF\s?\d{2}(?:\s?[A-Za-z0-9]{1,4}){1,6}\b/gi)) {
    // The pattern may run on into the next word ("… 7034 PAY"): drop trailing groups until valid.
    const parts = m[0].split(/\s+/);
    let parsed: CreditorReference | null = null;
    for (let n = parts.length; n >= 1; n--) {
      const written = new RegExp(`^\\S+(?:\\s+\\S+){${n - 1}}`).exec(m[0])?.[0] ?? m[0];
      const attempt = parseCreditorReference(written);
      if (attempt === null) break;
      if (parsed === null || attempt.valid) parsed = attempt;
      if (attempt.valid) break;
    }
    if (parsed !== null) out.push(parsed);
  }
  return out;
}
