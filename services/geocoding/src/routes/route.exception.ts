import { assertNever, DomainException, type ErrorDetail, type ErrorStatus } from '@duemap/http';

export enum RouteErrorCode {
  CustomerNotFound = 'CUSTOMER_NOT_FOUND',
  InvalidRouteRequest = 'INVALID_ROUTE_REQUEST',
}

/** Every error the routes API answers with beyond request validation; statuses decided here only. */
export class RouteException extends DomainException<RouteErrorCode> {
  readonly status: ErrorStatus;

  constructor(code: RouteErrorCode, message: string, details: ErrorDetail[] = []) {
    super(code, message, details);
    this.status = RouteException.statusOf(code);
  }

  static statusOf(code: RouteErrorCode): ErrorStatus {
    switch (code) {
      case RouteErrorCode.CustomerNotFound:
        return 404;
      case RouteErrorCode.InvalidRouteRequest:
        return 400;
      default:
        return assertNever(code);
    }
  }

  static invalid(field: string, message: string): RouteException {
    return new RouteException(RouteErrorCode.InvalidRouteRequest, message, [{ field, message }]);
  }
}
