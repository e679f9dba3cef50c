/** What was wrong with a statement file; part of the API (the 422 body's `code`). */
export enum StatementErrorCode {
  UnknownFormat = 'UNKNOWN_STATEMENT_FORMAT',
  Truncated = 'STATEMENT_TRUNCATED',
  MalformedXml = 'MALFORMED_XML',
  MissingElement = 'MISSING_ELEMENT',
  InvalidAmount = 'INVALID_AMOUNT',
  InvalidCurrency = 'INVALID_CURRENCY',
  InvalidDate = 'INVALID_DATE',
  InvalidValue = 'INVALID_VALUE',
  MalformedTag = 'MALFORMED_TAG',
  MalformedCsv = 'MALFORMED_CSV',
  ColumnCount = 'WRONG_COLUMN_COUNT',
  EntryTooLarge = 'ENTRY_TOO_LARGE',
  Empty = 'EMPTY_STATEMENT',
}

/**
 * A statement that cannot be imported, naming where: the 1-based line (and column, or the camt
 * element path) and what was wrong there. Nothing of such a file is imported.
 */
export class StatementParseError extends Error {
  override readonly name = 'StatementParseError';

  constructor(
    readonly code: StatementErrorCode,
    readonly detail: string,
    readonly line?: number,
    readonly column?: number,
    readonly path?: string,
  ) {
    super(StatementParseError.describe(detail, line, column, path));
  }

  /** `line 12, column 5 (/Document/…/Ntry[2]/Amt): amount "1,0" is not a decimal number`. */
  static describe(detail: string, line?: number, column?: number, path?: string): string {
    const where: string[] = [];
    if (line !== undefined) where.push(`line ${line}`);
    if (column !== undefined) where.push(`column ${column}`);
    const at = where.join(', ') + (path ? `${where.length ? ' ' : ''}(${path})` : '');
    return at ? `${at}: ${detail}` : detail;
  }
}
