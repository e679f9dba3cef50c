import { assertNever, DomainException, type ErrorDetail, type ErrorStatus } from '@duemap/http';

export enum CustomersErrorCode {
  CustomerNotFound = 'CUSTOMER_NOT_FOUND',
  InvalidSourceReference = 'INVALID_SOURCE_REFERENCE',
  InvalidQuery = 'INVALID_QUERY',
  TaxIdConflict = 'TAX_ID_CONFLICT',
}

/** Every error the customers API answers with; the status of each code is decided here only. */
export class CustomersException extends DomainException<CustomersErrorCode> {
  readonly status: ErrorStatus;

  constructor(code: CustomersErrorCode, message: string, details: ErrorDetail[] = []) {
    super(code, message, details);
    this.status = CustomersException.statusOf(code);
  }

  static statusOf(code: CustomersErrorCode): ErrorStatus {
    switch (code) {
      case CustomersErrorCode.CustomerNotFound:
        return 404;
      case CustomersErrorCode.InvalidSourceReference:
      case CustomersErrorCode.InvalidQuery:
        return 400;
      case CustomersErrorCode.TaxIdConflict:
        return 409;
      default:
        return assertNever(code);
    }
  }

  static notFound(what: string): CustomersException {
    return new CustomersException(CustomersErrorCode.CustomerNotFound, `customer ${what} not found`);
  }
}
