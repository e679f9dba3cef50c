import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { StatementLine } from '../statement-line';
import { openStatement, type StatementParseOptions } from '../parse-statement';

/** The shared real samples (their SOURCES.md says where each comes from). */
export const FIXTURES = process.env.BANK_STATEMENT_FIXTURES ?? '/work/shared/fixtures/bank-statements';

export function fixture(relative: string): string {
  return join(FIXTURES, relative);
}

/** Every line of a sample, read in small chunks so that chunk boundaries are exercised too. */
export async function readLines(
  relative: string,
  options: StatementParseOptions = {},
): Promise<StatementLine[]> {
  const parsed = await openStatement(createReadStream(fixture(relative), { highWaterMark: 512 }), options);
  const lines: StatementLine[] = [];
  for await (const line of parsed.lines) lines.push(line);
  return lines;
}

/** What the per-line tables assert of a credit: the fields cash application reads. */
export interface CreditRow {
  at: string;
  amount: string;
  booked: string | null;
  payer?: string;
  payerAccount?: string;
  remittance: string;
  refs: Partial<
    Record<'endToEndId' | 'bankTransactionId' | 'creditorReference' | 'qrReference' | 'mandateId', string>
  >;
  reversal?: true;
}

export function creditRow(line: StatementLine): CreditRow {
  const row: CreditRow = {
    at: `${line.entryIndex}.${line.txIndex}`,
    amount: line.amount.toString(),
    booked: line.bookingDate,
    remittance: line.remittance,
    refs: {},
  };
  if (line.counterparty.name !== undefined) row.payer = line.counterparty.name;
  const account = line.counterparty.iban ?? line.counterparty.account;
  if (account !== undefined) row.payerAccount = account;
  for (const key of [
    'endToEndId',
    'bankTransactionId',
    'creditorReference',
    'qrReference',
    'mandateId',
  ] as const) {
    const value = line.references[key];
    if (value !== undefined) row.refs[key] = value;
  }
  if (line.reversal) row.reversal = true;
  return row;
}

/** Bytes as a stream of small chunks, so that chunk boundaries fall inside tags, lines and characters. */
export function chunked(text: string | Buffer, size = 64): Readable {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}
