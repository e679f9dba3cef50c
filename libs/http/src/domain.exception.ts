/** One problem with the request, named by its field (`amount`, `allocations[0].invoiceId`). */
export interface ErrorDetail {
  field?: string;
  message: string;
  code?: string;
}

/** The statuses the public API answers errors with (DESIGN.md, "Public HTTP API"). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 502 | 503;

/**
 * Base of every service's typed exceptions: a code from the service's enum and the status it maps
 * to, decided in one place per service (`PaymentException.statusOf(code)`), never at the throw site.
 * ApiExceptionFilter turns it into `{"error":{"code","message","details"}}`.
 */
export abstract class DomainException<Code extends string = string> extends Error {
  abstract readonly status: ErrorStatus;

  constructor(
    readonly code: Code,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
