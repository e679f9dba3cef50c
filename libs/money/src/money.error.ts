/**
 * Codes are part of the public contract: HTTP filters map them to 422 bodies and consumers
 * classify them as fatal (a bad amount never becomes valid on retry). Member names equal their
 * values so `MoneyErrorCode.CURRENCY_MISMATCH` reads the same in code, logs and API bodies.
 */
export enum MoneyErrorCode {
  INVALID_AMOUNT = 'INVALID_AMOUNT',
  TOO_MANY_DECIMALS = 'TOO_MANY_DECIMALS',
  NEGATIVE_NOT_ALLOWED = 'NEGATIVE_NOT_ALLOWED',
  OUT_OF_RANGE = 'OUT_OF_RANGE',
  UNKNOWN_CURRENCY = 'UNKNOWN_CURRENCY',
  UNSUPPORTED_CURRENCY = 'UNSUPPORTED_CURRENCY',
  CURRENCY_MISMATCH = 'CURRENCY_MISMATCH',
}

export class MoneyError extends Error {
  override readonly name = 'MoneyError';

  /**
   * @param field the input field the problem belongs to (e.g. "amount", "lines[2].total"), so an
   *   API layer can point the client at it without parsing the message.
   * @param detail the message without the field prefix; the full message always starts with the
   *   field because these messages end up in logs and DLQ records read without any other context.
   */
  constructor(
    readonly code: MoneyErrorCode,
    readonly field: string,
    detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

export function isMoneyError(error: unknown, code?: MoneyErrorCode): error is MoneyError {
  return error instanceof MoneyError && (code === undefined || error.code === code);
}
