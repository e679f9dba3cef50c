import { assertNever } from '@duemap/http';
import { AllocationRejectionReason, AllocationRule, PaymentMethod } from '@duemap/events';
import type { AllocationRuleName, PaymentMethodName } from './payment.entity';

// API names <-> contract enums, in one place.

export function methodToProto(method: PaymentMethodName): PaymentMethod {
  switch (method) {
    case 'bank_transfer':
      return PaymentMethod.BANK_TRANSFER;
    case 'card':
      return PaymentMethod.CARD;
    case 'cheque':
      return PaymentMethod.CHEQUE;
    case 'cash':
      return PaymentMethod.CASH;
    case 'e_wallet':
      return PaymentMethod.E_WALLET;
    default:
      return assertNever(method);
  }
}

export function ruleToProto(rule: AllocationRuleName): AllocationRule {
  switch (rule) {
    case 'explicit':
      return AllocationRule.EXPLICIT;
    case 'invoice_reference':
      return AllocationRule.REFERENCE_MATCH;
    case 'exact_amount':
      return AllocationRule.EXACT_AMOUNT;
    case 'amount_combination':
      return AllocationRule.AMOUNT_COMBINATION;
    case 'oldest_due_first':
      return AllocationRule.OLDEST_DUE_FIRST;
    default:
      return assertNever(rule);
  }
}

/** How a rejection reason reads in the API and the table; unknown future values read "unspecified". */
export function rejectionReasonName(reason: AllocationRejectionReason): string {
  switch (reason) {
    case AllocationRejectionReason.INVOICE_NOT_FOUND:
      return 'invoice_not_found';
    case AllocationRejectionReason.INVOICE_VOIDED:
      return 'invoice_voided';
    case AllocationRejectionReason.INVOICE_ALREADY_PAID:
      return 'invoice_already_paid';
    case AllocationRejectionReason.EXCEEDS_OPEN_AMOUNT:
      return 'exceeds_open_amount';
    case AllocationRejectionReason.CURRENCY_MISMATCH:
      return 'currency_mismatch';
    case AllocationRejectionReason.CUSTOMER_MISMATCH:
      return 'customer_mismatch';
    case AllocationRejectionReason.UNSPECIFIED:
      return 'unspecified';
    default:
      return 'unspecified';
  }
}
