import { createHash } from 'node:crypto';
import { Money } from '@duemap/money';
import { PaymentsErrorCode, PaymentsException } from '../common/payments.exception';
import type { RequestedAllocation } from './cash-application';
import type { RecordPaymentRequestDto } from './dtos/record-payment.request.dto';
import type { PaymentMethodName } from './payment.entity';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** A POST /api/v1/payments request after every check that needs no database. */
export interface PaymentRequest {
  idempotencyKey: string;
  customerId: string;
  amount: Money;
  receivedAt: Date;
  method: PaymentMethodName;
  reference: string;
  /** Empty: apply oldest due first. */
  allocations: RequestedAllocation[];
}

export function checkIdempotencyKey(raw: string | undefined): string {
  if (raw === undefined || raw === '') {
    throw PaymentsException.forField(
      PaymentsErrorCode.ValidationFailed,
      IDEMPOTENCY_KEY_HEADER,
      `the ${IDEMPOTENCY_KEY_HEADER} header is required (1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters)`,
    );
  }
  if (raw.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw PaymentsException.forField(
      PaymentsErrorCode.ValidationFailed,
      IDEMPOTENCY_KEY_HEADER,
      `the ${IDEMPOTENCY_KEY_HEADER} header has ${raw.length} characters; at most ${MAX_IDEMPOTENCY_KEY_LENGTH} are allowed`,
    );
  }
  return raw;
}

/**
 * Parses amounts strictly (Money.of: 422 naming the field, never rounding) and the receipt time.
 * Allocation rules that need no invoice (currency, duplicates, sum) are checked by
 * checkRequestedAllocations, so this stays about the shape of one value at a time.
 */
export function parsePaymentRequest(dto: RecordPaymentRequestDto, idempotencyKey: string): PaymentRequest {
  const amount = Money.of(dto.amount.amount, dto.amount.currency, {
    field: 'amount',
    currencyField: 'amount.currency',
  });
  if (!amount.isPositive()) {
    throw PaymentsException.forField(
      PaymentsErrorCode.AmountNotPositive,
      'amount',
      `amount must be greater than zero, got ${amount.toString()}`,
    );
  }
  const receivedAt = new Date(dto.receivedAt);
  if (Number.isNaN(receivedAt.getTime())) {
    throw PaymentsException.forField(
      PaymentsErrorCode.ValidationFailed,
      'receivedAt',
      `receivedAt ${JSON.stringify(dto.receivedAt)} is not a valid RFC 3339 date-time`,
    );
  }
  const allocations = parseRequestedAllocations(dto.allocations ?? []);
  return {
    idempotencyKey,
    customerId: dto.customerId,
    amount,
    receivedAt,
    method: dto.method,
    reference: dto.reference,
    allocations,
  };
}

/** Explicit allocations' amounts, strictly (422 naming `allocations[i].amount`). */
export function parseRequestedAllocations(
  dtos: readonly { invoiceId: string; amount: { amount: string; currency: string } }[],
): RequestedAllocation[] {
  return dtos.map((allocation, index): RequestedAllocation => {
    const field = `allocations[${index}].amount`;
    const parsed = Money.of(allocation.amount.amount, allocation.amount.currency, {
      field,
      currencyField: `${field}.currency`,
    });
    return { invoiceId: allocation.invoiceId, amount: parsed };
  });
}

/**
 * The request as a string that does not depend on how the client spelled it: amounts in their
 * currency's digits ("100" and "100.00" CNY are one amount), instants in UTC, fixed key order.
 * An absent and an empty allocation list mean the same and read the same.
 */
export function canonicalRequest(request: PaymentRequest): string {
  return JSON.stringify({
    customerId: request.customerId,
    amount: request.amount.toJSON(),
    receivedAt: request.receivedAt.toISOString(),
    method: request.method,
    reference: request.reference,
    allocations: request.allocations.map((a) => ({ invoiceId: a.invoiceId, amount: a.amount.toJSON() })),
  });
}

/** SHA-256 (hex) of the canonical request, stored with the payment beside its idempotency key. */
export function requestHash(request: PaymentRequest): string {
  return createHash('sha256').update(canonicalRequest(request)).digest('hex');
}
