import { assertNever, DomainException, type ErrorStatus } from '@duemap/http';
import { StatementErrorCode, StatementParseError } from './parsing/statement-parse.error';

/** Why a bank statement upload or read was refused; the status of each is decided in statusOf. */
export enum BankStatementErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  TooLarge = 'PAYLOAD_TOO_LARGE',
  NotFound = 'BANK_STATEMENT_NOT_FOUND',
}

export type BankStatementCode = BankStatementErrorCode | StatementErrorCode;

export class BankStatementException extends DomainException<BankStatementCode> {
  readonly status: ErrorStatus;

  constructor(code: BankStatementCode, message: string, field?: string) {
    super(code, message, field ? [{ field, message, code }] : []);
    this.status = BankStatementException.statusOf(code);
  }

  /** A file that does not parse: 422 naming where (line, column, element path) and what. */
  static ofParse(err: StatementParseError): BankStatementException {
    const field = err.path ?? (err.line !== undefined ? `line ${err.line}` : 'body');
    return new BankStatementException(err.code, err.message, field);
  }

  static statusOf(code: BankStatementCode): ErrorStatus {
    switch (code) {
      case BankStatementErrorCode.ValidationFailed:
        return 400;
      case BankStatementErrorCode.NotFound:
        return 404;
      case BankStatementErrorCode.TooLarge:
        return 413;
      case StatementErrorCode.UnknownFormat:
      case StatementErrorCode.Truncated:
      case StatementErrorCode.MalformedXml:
      case StatementErrorCode.MissingElement:
      case StatementErrorCode.InvalidAmount:
      case StatementErrorCode.InvalidCurrency:
      case StatementErrorCode.InvalidDate:
      case StatementErrorCode.InvalidValue:
      case StatementErrorCode.MalformedTag:
      case StatementErrorCode.MalformedCsv:
      case StatementErrorCode.ColumnCount:
      case StatementErrorCode.EntryTooLarge:
      case StatementErrorCode.Empty:
        return 422;
      default:
        return assertNever(code);
    }
  }
}
