import { assertNever, DomainException, type ErrorDetail, type ErrorStatus } from '@duemap/http';

export enum InvoicingErrorCode {
  InvoiceNotFound = 'INVOICE_NOT_FOUND',
  CustomerNotFound = 'CUSTOMER_NOT_FOUND',
  /** Neither customerId nor customer was given. */
  CustomerReferenceMissing = 'CUSTOMER_REFERENCE_MISSING',
  /** Both customerId and customer were given. */
  CustomerReferenceAmbiguous = 'CUSTOMER_REFERENCE_AMBIGUOUS',
  TotalNotPositive = 'TOTAL_NOT_POSITIVE',
  LineCurrencyMismatch = 'LINE_CURRENCY_MISMATCH',
  /** A voided invoice is terminal: no update, no second void. */
  InvoiceVoided = 'INVOICE_VOIDED',
  /** Voiding would strand the cash applied to the invoice; reverse the payments first. */
  InvoiceHasPayments = 'INVOICE_HAS_PAYMENTS',
  CurrencyChangeNotAllowed = 'CURRENCY_CHANGE_NOT_ALLOWED',
  TotalBelowPaid = 'TOTAL_BELOW_PAID',
  CustomerChangeNotAllowed = 'CUSTOMER_CHANGE_NOT_ALLOWED',
  CustomersUnavailable = 'CUSTOMERS_UNAVAILABLE',
  /** dueDate earlier than issueDate. */
  DueBeforeIssue = 'DUE_BEFORE_ISSUE',
  /** The lines' amounts do not add up to the total. */
  LinesTotalMismatch = 'LINES_TOTAL_MISMATCH',
  /** The update carries a source version lower than the one stored: an older update never wins. */
  StaleSourceVersion = 'STALE_SOURCE_VERSION',
  /** A record kind the intake cannot book yet (credit notes). */
  KindNotSupported = 'KIND_NOT_SUPPORTED',
  /** An import file that cannot be read at all (unknown layout, missing columns, not CSV/XLSX). */
  ImportUnreadable = 'IMPORT_UNREADABLE',
}

/** The one place an invoicing error code becomes an HTTP status. */
export function statusOfInvoicingError(code: InvoicingErrorCode): ErrorStatus {
  switch (code) {
    case InvoicingErrorCode.CustomerReferenceMissing:
    case InvoicingErrorCode.CustomerReferenceAmbiguous:
    case InvoicingErrorCode.ImportUnreadable:
      return 400;
    case InvoicingErrorCode.InvoiceNotFound:
    case InvoicingErrorCode.CustomerNotFound:
      return 404;
    case InvoicingErrorCode.InvoiceVoided:
    case InvoicingErrorCode.InvoiceHasPayments:
    case InvoicingErrorCode.StaleSourceVersion:
      return 409;
    case InvoicingErrorCode.TotalNotPositive:
    case InvoicingErrorCode.LineCurrencyMismatch:
    case InvoicingErrorCode.CurrencyChangeNotAllowed:
    case InvoicingErrorCode.TotalBelowPaid:
    case InvoicingErrorCode.CustomerChangeNotAllowed:
    case InvoicingErrorCode.DueBeforeIssue:
    case InvoicingErrorCode.LinesTotalMismatch:
    case InvoicingErrorCode.KindNotSupported:
      return 422;
    case InvoicingErrorCode.CustomersUnavailable:
      return 503;
    default:
      return assertNever(code);
  }
}

export class InvoicingException extends DomainException<InvoicingErrorCode> {
  readonly status: ErrorStatus;

  constructor(code: InvoicingErrorCode, message: string, details: ErrorDetail[] = []) {
    super(code, message, details);
    this.status = statusOfInvoicingError(code);
  }

  /** An error about one request field, named in `details` so clients can point at it. */
  static forField(code: InvoicingErrorCode, field: string, message: string): InvoicingException {
    return new InvoicingException(code, `${field}: ${message}`, [{ field, message }]);
  }
}
