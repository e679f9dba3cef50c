import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse } from 'csv-parse';
import type { Money } from '@duemap/money';
import { CURRENCY_NAMES, type CsvDateFormat, type CsvLayout } from './csv-layouts';
import {
  realReference,
  type ByteSource,
  type Counterparty,
  type ParseOptions,
  type StatementLine,
  type StatementReferences,
} from './statement-line';
import { StatementErrorCode, StatementParseError } from './statement-parse.error';
import { decoderFor } from './text-lines';
import { chunkBytes, isIban, parseAmount, parseIsoDate, type At } from './values';

const DATE_PATTERNS: Record<CsvDateFormat, RegExp> = {
  'YYYY-MM-DD': /^(?<y>[0-9]{4})-(?<m>[0-9]{1,2})-(?<d>[0-9]{1,2})$/,
  YYYYMMDD: /^(?<y>[0-9]{4})(?<m>[0-9]{2})(?<d>[0-9]{2})$/,
  'YYYY/MM/DD': /^(?<y>[0-9]{4})\/(?<m>[0-9]{1,2})\/(?<d>[0-9]{1,2})$/,
  'DD.MM.YYYY': /^(?<d>[0-9]{1,2})\.(?<m>[0-9]{1,2})\.(?<y>[0-9]{4})$/,
  'DD/MM/YYYY': /^(?<d>[0-9]{1,2})\/(?<m>[0-9]{1,2})\/(?<y>[0-9]{4})$/,
  'MM/DD/YYYY': /^(?<m>[0-9]{1,2})\/(?<d>[0-9]{1,2})\/(?<y>[0-9]{4})$/,
};

/** A date cell in the layout's format (a time after it, "2023-05-02 10:11:12", is dropped). */
export function parseLayoutDate(raw: string, format: CsvDateFormat, at: At): string {
  const first = raw.trim().split(/\s+/)[0] ?? '';
  const match = DATE_PATTERNS[format].exec(first);
  if (!match?.groups) {
    throw new StatementParseError(
      StatementErrorCode.InvalidDate,
      `date "${raw.trim()}" is not in the layout's format ${format}`,
      at.line,
      at.column,
      at.path,
    );
  }
  const { y = '', m = '', d = '' } = match.groups;
  return parseIsoDate(`${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`, at);
}

/** "1,234.56" / "-2,600.00" / "1.234,56": sign and magnitude, thousands separators removed. */
function splitAmount(raw: string, decimalComma: boolean, at: At): { negative: boolean; digits: string } {
  let text = raw.trim().replace(/\s+/g, '');
  let negative = false;
  if (text.startsWith('-') || text.startsWith('+')) {
    negative = text.startsWith('-');
    text = text.slice(1);
  }
  const grouped = decimalComma
    ? /^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$/
    : /^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$/;
  if (grouped.test(text)) text = text.replace(decimalComma ? /\./g : /,/g, '');
  if (decimalComma) text = text.replace(',', '.');
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text)) {
    throw new StatementParseError(
      StatementErrorCode.InvalidAmount,
      `amount "${raw.trim()}" is not a number`,
      at.line,
      at.column,
      at.path,
    );
  }
  return { negative, digits: text };
}

function currencyOf(raw: string | undefined, layout: CsvLayout, at: At): string {
  const text = raw?.trim() ?? '';
  const value = text === '' ? layout.defaultCurrency : (CURRENCY_NAMES[text] ?? text.toUpperCase());
  if (!value) {
    throw new StatementParseError(
      StatementErrorCode.InvalidCurrency,
      'the row has no currency',
      at.line,
      at.column,
    );
  }
  return value;
}

interface Columns {
  index: Map<string, number>;
  width: number;
}

/**
 * Streams a CSV export through csv-parse with a layout: the preamble is skipped up to the header
 * row, each data row must have the header's column count, a footer ends the data. Decoding (GBK,
 * GB18030) is iconv-lite's, chunk by chunk.
 */
export async function* parseCsv(
  source: ByteSource,
  layout: CsvLayout,
  options: ParseOptions & { encoding?: string } = {},
): AsyncGenerator<StatementLine> {
  const decoder = decoderFor(options.encoding ?? layout.encoding);
  let bytesRead = 0;
  let emitted = 0;
  async function* decoded(): AsyncGenerator<string> {
    for await (const chunk of source) {
      const bytes = chunkBytes(chunk);
      bytesRead += bytes.length;
      const text = decoder.write(bytes);
      if (text) yield text;
      options.onProgress?.({ bytesRead, totalBytes: options.totalBytes, lines: emitted });
    }
    const rest = decoder.end();
    if (rest) yield rest;
  }

  const parser = parse({
    delimiter: layout.delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    from_line: layout.skipLines + 1,
    // A single cell bigger than this is not a bank statement row.
    max_record_size: 1_000_000,
  });
  let feedError: Error | undefined;
  const feeding = pipeline(Readable.from(decoded()), parser).catch((err: unknown) => {
    feedError = err instanceof Error ? err : new Error('the CSV stream failed');
  });

  let columns: Columns | undefined;
  let account: string | undefined;
  let statementId: string | undefined;
  let preamble = 0;
  let entryIndex = 0;
  let ended = false;

  const cell = (record: string[], name: string | undefined): string | undefined => {
    if (name === undefined || !columns) return undefined;
    const index = columns.index.get(name);
    if (index === undefined) return undefined;
    const value = (record[index] ?? '').replace(/^[\s\t]+|[\s\t]+$/g, '');
    return value === '' || layout.placeholders.test(value) ? undefined : value;
  };

  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const { record, info } = item;
      const line = info.lines;
      const cells = record.map((c) => c.replace(/^[\s\t]+|[\s\t]+$/g, ''));
      if (ended) continue;
      if (!columns) {
        const accountMatch = layout.accountInPreamble
          ? cells.map((c) => layout.accountInPreamble?.exec(c)).find(Boolean)
          : undefined;
        if (accountMatch?.[1]) account = accountMatch[1];
        if (cells.includes(layout.columns.bookingDate)) {
          columns = { index: new Map(cells.map((name, i) => [name, i])), width: cells.length };
          for (const required of [layout.columns.amount, layout.columns.credit, layout.columns.debit]) {
            if (required !== undefined && !columns.index.has(required)) {
              throw new StatementParseError(
                StatementErrorCode.MissingElement,
                `the header has no column "${required}" (layout ${layout.name})`,
                line,
              );
            }
          }
          continue;
        }
        preamble += 1;
        if (preamble > layout.maxPreambleLines) {
          throw new StatementParseError(
            StatementErrorCode.MissingElement,
            `no header row with column "${layout.columns.bookingDate}" in the first ${layout.maxPreambleLines} rows (layout ${layout.name})`,
            line,
          );
        }
        continue;
      }
      if (cells.every((c) => c === '')) continue;
      if (layout.footer?.test(cells[0] ?? '')) {
        ended = true;
        continue;
      }
      let width = cells.length;
      if (layout.trailingDelimiter && width === columns.width + 1 && cells[width - 1] === '') width -= 1;
      if (width !== columns.width) {
        throw new StatementParseError(
          StatementErrorCode.ColumnCount,
          `the row has ${width} columns, the header has ${columns.width}`,
          line,
        );
      }
      const columnOf = (name: string | undefined): number | undefined =>
        name === undefined ? undefined : (columns?.index.get(name) ?? 0) + 1;
      const atColumn = (name: string | undefined): At => ({ line, column: columnOf(name) });

      const rawDate = cell(record, layout.columns.bookingDate);
      if (!rawDate) {
        throw new StatementParseError(
          StatementErrorCode.MissingElement,
          `the row has no ${layout.columns.bookingDate}`,
          line,
          columnOf(layout.columns.bookingDate),
        );
      }
      const bookingDate = parseLayoutDate(rawDate, layout.dateFormat, atColumn(layout.columns.bookingDate));
      const rawValueDate = cell(record, layout.columns.valueDate);
      const valueDate = rawValueDate
        ? parseLayoutDate(rawValueDate, layout.dateFormat, atColumn(layout.columns.valueDate))
        : null;
      const currency = currencyOf(
        cell(record, layout.columns.currency),
        layout,
        atColumn(layout.columns.currency),
      );

      let direction: 'credit' | 'debit';
      let amount: Money;
      const signed = cell(record, layout.columns.amount);
      const creditCell = cell(record, layout.columns.credit);
      const debitCell = cell(record, layout.columns.debit);
      if (layout.columns.amount !== undefined) {
        if (!signed) {
          throw new StatementParseError(
            StatementErrorCode.MissingElement,
            `the row has no ${layout.columns.amount}`,
            line,
            columnOf(layout.columns.amount),
          );
        }
        const at = atColumn(layout.columns.amount);
        const { negative, digits } = splitAmount(signed, layout.decimalComma, at);
        direction = negative ? 'debit' : 'credit';
        amount = parseAmount(digits, currency, at);
      } else if (creditCell || debitCell) {
        if (creditCell && debitCell) {
          throw new StatementParseError(
            StatementErrorCode.InvalidValue,
            `the row has both ${layout.columns.credit} and ${layout.columns.debit}`,
            line,
          );
        }
        const name = creditCell ? layout.columns.credit : layout.columns.debit;
        const at = atColumn(name);
        const { digits } = splitAmount(creditCell ?? debitCell ?? '', layout.decimalComma, at);
        direction = creditCell ? 'credit' : 'debit';
        amount = parseAmount(digits, currency, at);
      } else {
        throw new StatementParseError(
          StatementErrorCode.MissingElement,
          `the row has neither ${layout.columns.credit} nor ${layout.columns.debit}`,
          line,
        );
      }

      const rowAccount = cell(record, layout.columns.account) ?? account;
      statementId ??= `${layout.name}/${rowAccount ?? '-'}/${bookingDate}`;
      const counterparty: Counterparty = {};
      const payerName = cell(record, layout.columns.payerName);
      if (payerName) counterparty.name = payerName;
      const payerAccount = cell(record, layout.columns.payerAccount);
      if (payerAccount) {
        if (isIban(payerAccount)) counterparty.iban = payerAccount.replace(/\s+/g, '');
        else counterparty.account = payerAccount;
      }
      const references: StatementReferences = {};
      const reference = realReference(cell(record, layout.columns.reference));
      if (reference) {
        if (/^RF[0-9]{2}[A-Z0-9]{1,21}$/i.test(reference)) references.creditorReference = reference;
        else references.endToEndId = reference;
      }
      const bankId = realReference(cell(record, layout.columns.bankTransactionId));
      if (bankId) references.bankTransactionId = bankId;
      const remittance = (layout.columns.remittance ?? [])
        .map((name) => cell(record, name))
        .filter((v): v is string => v !== undefined)
        .join(' ');
      entryIndex += 1;
      emitted += 1;
      yield {
        format: 'csv',
        statementId,
        account: rowAccount ? { number: rowAccount, currency } : { currency },
        entryIndex,
        txIndex: 1,
        bookingDate,
        valueDate,
        direction,
        bookingStatus: 'booked',
        reversal: false,
        amount,
        counterparty,
        remittance,
        references,
        position: { line },
      };
    }
  } catch (err) {
    parser.destroy();
    if (err instanceof CsvError) {
      const line = (err as CsvError & { lines?: number }).lines;
      throw new StatementParseError(StatementErrorCode.MalformedCsv, `not valid CSV: ${err.message}`, line);
    }
    throw err;
  }
  await feeding;
  if (feedError instanceof CsvError) {
    const line = (feedError as CsvError & { lines?: number }).lines;
    throw new StatementParseError(
      StatementErrorCode.MalformedCsv,
      `not valid CSV: ${feedError.message}`,
      line,
    );
  }
  if (feedError !== undefined) throw feedError;
  if (!columns) {
    throw new StatementParseError(
      StatementErrorCode.MissingElement,
      `no header row with column "${layout.columns.bookingDate}" (layout ${layout.name})`,
    );
  }
}
