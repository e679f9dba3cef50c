import iconv from 'iconv-lite';
import { parseCamt } from './camt.parser';
import { csvLayout, type CsvLayout } from './csv-layouts';
import { parseCsv } from './csv.parser';
import { parseMt940 } from './mt940.parser';
import type { ByteSource, ParseOptions, StatementFormat, StatementLine } from './statement-line';
import { StatementErrorCode, StatementParseError } from './statement-parse.error';
import { chunkBytes } from './values';

/** Bytes looked at to tell the format: enough for an XML prolog, a SWIFT header or a CSV preamble. */
const SNIFF_BYTES = 8 * 1024;

export interface Detected {
  format: StatementFormat;
  /** For CSV: the shipped layout whose header the file has, if any. */
  layout?: string;
}

/**
 * The format of a statement from its first bytes: a camt namespace in XML, MT940 tags (:20:, :61:)
 * or a SWIFT block header, else CSV (with the shipped layout whose header names it carries).
 */
export function detectFormat(head: Buffer): Detected | undefined {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start.startsWith('<')) {
    const camt = /urn:iso:std:iso:20022:tech:xsd:camt\.(053|054)\./.exec(text);
    if (camt) return { format: camt[1] === '053' ? 'camt053' : 'camt054' };
    return undefined;
  }
  if (/(^|[\r\n])(:20:|:25:|:61:)/.test(text) || /\{1:F01/.test(text) || /(^|[\r\n]):940:/.test(text)) {
    return { format: 'mt940' };
  }
  const gbk = text.includes('\uFFFD') ? iconv.decode(head, 'gb18030') : text;
  if (gbk.includes('记账金额(收入)') || gbk.includes('明细查询文件下载')) {
    return { format: 'csv', layout: gbk === text ? 'icbc' : 'icbc-gbk' };
  }
  if (gbk.includes('记账日期') && gbk.includes('对方账户名')) return { format: 'csv', layout: 'boc' };
  if (/[,;\t]/.test(text)) return { format: 'csv', layout: 'generic' };
  return undefined;
}

export interface StatementParseOptions extends ParseOptions {
  /** Overrides detection. */
  format?: StatementFormat;
  /** A shipped CSV layout by name, or a layout of one's own. */
  layout?: string | CsvLayout;
  /** Overrides the CSV layout's encoding (e.g. gb18030). */
  encoding?: string;
}

/** What was read first, put back in front of the rest of the source. */
async function* replay(
  head: Buffer[],
  rest: AsyncIterator<Buffer | Uint8Array | string>,
): AsyncGenerator<Buffer> {
  for (const chunk of head) yield chunk;
  for (;;) {
    const next = await rest.next();
    if (next.done) return;
    yield chunkBytes(next.value);
  }
}

export interface ParsedStatement {
  format: StatementFormat;
  layout?: string;
  lines: AsyncGenerator<StatementLine>;
}

/**
 * Opens a statement: reads its first bytes to tell the format (unless given), then streams its
 * lines with the parser of that format. Errors are StatementParseError, thrown while iterating.
 */
export async function openStatement(
  source: ByteSource,
  options: StatementParseOptions = {},
): Promise<ParsedStatement> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  while (size < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) break;
    const bytes = chunkBytes(next.value);
    head.push(bytes);
    size += bytes.length;
  }
  if (size === 0) throw new StatementParseError(StatementErrorCode.Empty, 'the file is empty');
  const detected = detectFormat(Buffer.concat(head));
  const format = options.format ?? detected?.format;
  if (!format) {
    throw new StatementParseError(
      StatementErrorCode.UnknownFormat,
      'the file is neither camt.053/054 XML, MT940 nor CSV; name the format with ?format=',
      1,
    );
  }
  const bytes = replay(head, iterator);
  switch (format) {
    case 'camt053':
    case 'camt054':
      return { format, lines: parseCamt(bytes, options) };
    case 'mt940':
      return { format, lines: parseMt940(bytes, options) };
    case 'csv': {
      const requested =
        options.layout ?? (detected?.format === 'csv' ? detected.layout : undefined) ?? 'generic';
      const layout = typeof requested === 'string' ? csvLayout(requested) : requested;
      if (!layout) {
        throw new StatementParseError(
          StatementErrorCode.InvalidValue,
          `unknown CSV layout "${typeof requested === 'string' ? requested : requested.name}"`,
        );
      }
      return { format, layout: layout.name, lines: parseCsv(bytes, layout, options) };
    }
    default: {
      const never: never = format;
      throw new Error(`unexpected format ${String(never)}`);
    }
  }
}
