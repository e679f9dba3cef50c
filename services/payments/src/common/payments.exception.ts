import { assertNever, DomainException, type ErrorDetail, type ErrorStatus } from '@duemap/http';

/** Every error the payments service answers with; the HTTP status of each is decided in statusOf. */
export enum PaymentsErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  AmountNotPositive = 'AMOUNT_NOT_POSITIVE',
  CurrencyMismatch = 'CURRENCY_MISMATCH',
  DuplicateAllocation = 'DUPLICATE_ALLOCATION',
  AllocationsExceedPayment = 'ALLOCATIONS_EXCEED_PAYMENT',
  AllocationExceedsOpenAmount = 'ALLOCATION_EXCEEDS_OPEN_AMOUNT',
  CustomerNotFound = 'CUSTOMER_NOT_FOUND',
  InvoiceNotFound = 'INVOICE_NOT_FOUND',
  InvoiceOfAnotherCustomer = 'INVOICE_OF_ANOTHER_CUSTOMER',
  InvoiceVoided = 'INVOICE_VOIDED',
  InvoiceAlreadyPaid = 'INVOICE_ALREADY_PAID',
  CreditNoteNotPayable = 'CREDIT_NOTE_NOT_PAYABLE',
  PaymentNotFound = 'PAYMENT_NOT_FOUND',
  DependencyUnavailable = 'DEPENDENCY_UNAVAILABLE',
  /** A reversal of a payment already reversed. */
  PaymentAlreadyReversed = 'PAYMENT_ALREADY_REVERSED',
  /** A review decision for a payment that is not waiting for one. */
  PaymentNotInReview = 'PAYMENT_NOT_IN_REVIEW',
  /** A refund above what the payment still holds as the customer's credit. */
  RefundExceedsCredit = 'REFUND_EXCEEDS_CREDIT',
  /** A reversal or refund of a payment still waiting for review: decide it first. */
  PaymentInReview = 'PAYMENT_IN_REVIEW',
}

export class PaymentsException extends DomainException<PaymentsErrorCode> {
  readonly status: ErrorStatus;

  constructor(code: PaymentsErrorCode, message: string, details: ErrorDetail[] = []) {
    super(code, message, details);
    this.status = PaymentsException.statusOf(code);
  }

  /** The usual case: one problem, tied to one request field (`allocations[1].invoiceId`). */
  static forField(code: PaymentsErrorCode, field: string, message: string): PaymentsException {
    return new PaymentsException(code, message, [{ field, message, code }]);
  }

  static statusOf(code: PaymentsErrorCode): ErrorStatus {
    switch (code) {
      case PaymentsErrorCode.ValidationFailed:
        return 400;
      case PaymentsErrorCode.CustomerNotFound:
      case PaymentsErrorCode.InvoiceNotFound:
      case PaymentsErrorCode.PaymentNotFound:
        return 404;
      case PaymentsErrorCode.IdempotencyKeyReused:
      case PaymentsErrorCode.PaymentAlreadyReversed:
      case PaymentsErrorCode.PaymentNotInReview:
      case PaymentsErrorCode.PaymentInReview:
        return 409;
      case PaymentsErrorCode.AmountNotPositive:
      case PaymentsErrorCode.CurrencyMismatch:
      case PaymentsErrorCode.DuplicateAllocation:
      case PaymentsErrorCode.AllocationsExceedPayment:
      case PaymentsErrorCode.AllocationExceedsOpenAmount:
      case PaymentsErrorCode.InvoiceOfAnotherCustomer:
      case PaymentsErrorCode.InvoiceVoided:
      case PaymentsErrorCode.InvoiceAlreadyPaid:
      case PaymentsErrorCode.CreditNoteNotPayable:
      case PaymentsErrorCode.RefundExceedsCredit:
        return 422;
      case PaymentsErrorCode.DependencyUnavailable:
        return 503;
      default:
        return assertNever(code);
    }
  }
}
