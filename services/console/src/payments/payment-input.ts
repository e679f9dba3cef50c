/**
 * What the payments page checks before it asks the API (the API checks again and has the last
 * word): decimal amounts compared exactly, without floats, and the content type of a statement file.
 */

const DECIMAL = /^\d{1,15}(?:\.\d{1,4})?$/;

/** A positive decimal string as the user typed it ("1,234.5" and "１２" are refused), trimmed; else null. */
export function parseAmount(text: string): string | null {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) return null;
  return /[1-9]/.test(trimmed) ? trimmed : null;
}

/** A decimal string in units of 10^-4, exactly. */
function scaled(amount: string): bigint {
  const [whole = '0', fraction = ''] = amount.split('.');
  return BigInt(whole) * 10_000n + BigInt(fraction.padEnd(4, '0').slice(0, 4));
}

/** -1, 0 or 1 as a < b, a = b, a > b. */
export function compareAmounts(a: string, b: string): number {
  const d = scaled(a) - scaled(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}

/** a + b as a decimal string with 4 places at most (trailing zeros kept to 2). */
export function addAmounts(a: string, b: string): string {
  const sum = scaled(a) + scaled(b);
  const whole = sum / 10_000n;
  const fraction = (sum % 10_000n)
    .toString()
    .padStart(4, '0')
    .replace(/0{1,2}$/, '');
  return `${whole}.${fraction.padEnd(2, '0')}`;
}

export type SplitCheck =
  | { kind: 'none' }
  | { kind: 'ok'; allocations: { invoiceId: string; amount: string }[]; total: string }
  | { kind: 'invalid'; invoiceId: string }
  | { kind: 'exceeds'; total: string };

/**
 * The split typed against a customer's open invoices: blank inputs are left out; none at all means
 * "let the API choose" (oldest due first); a malformed amount names its invoice; the sum may not
 * exceed the payment.
 */
export function checkSplit(typed: Readonly<Record<string, string>>, paymentAmount: string): SplitCheck {
  const allocations: { invoiceId: string; amount: string }[] = [];
  let total = '0.00';
  for (const [invoiceId, text] of Object.entries(typed)) {
    if (text.trim() === '') continue;
    const amount = parseAmount(text);
    if (amount === null) return { kind: 'invalid', invoiceId };
    allocations.push({ invoiceId, amount });
    total = addAmounts(total, amount);
  }
  if (allocations.length === 0) return { kind: 'none' };
  if (compareAmounts(total, paymentAmount) > 0) return { kind: 'exceeds', total };
  return { kind: 'ok', allocations, total };
}

/** How POST /api/v1/bank-statements is told what the file is (it detects the format from the content). */
export function statementContentType(fileName: string): string {
  const name = fileName.toLowerCase();
  if (name.endsWith('.xml')) return 'application/xml';
  if (name.endsWith('.csv')) return 'text/csv';
  return 'text/plain';
}
