import { assertNever, DomainException, type ErrorDetail, type ErrorStatus } from '@duemap/http';

export enum ApiKeyErrorCode {
  InvalidGrant = 'VALIDATION_FAILED',
  NotFound = 'API_KEY_NOT_FOUND',
  Revoked = 'API_KEY_REVOKED',
  AlreadyRotated = 'API_KEY_ALREADY_ROTATED',
}

export class ApiKeyException extends DomainException<ApiKeyErrorCode> {
  readonly status: ErrorStatus;

  constructor(code: ApiKeyErrorCode, message: string, details: ErrorDetail[] = []) {
    super(code, message, details);
    this.status = ApiKeyException.statusOf(code);
  }

  static statusOf(code: ApiKeyErrorCode): ErrorStatus {
    switch (code) {
      case ApiKeyErrorCode.InvalidGrant:
        return 400;
      case ApiKeyErrorCode.NotFound:
        return 404;
      case ApiKeyErrorCode.Revoked:
      case ApiKeyErrorCode.AlreadyRotated:
        return 409;
      default:
        return assertNever(code);
    }
  }
}
