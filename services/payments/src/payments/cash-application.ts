import { Money, sumMoney } from '@duemap/money';
import { PaymentsErrorCode, PaymentsException } from '../common/payments.exception';
import type { InvoiceKind, InvoiceState } from '../invoices/invoice-view.entity';
import type { AllocationRuleName } from './payment.entity';

/** An invoice as cash application sees it: who owes it, in what currency, and what is still open. */
export interface PayableInvoice {
  invoiceId: string;
  customerId: string;
  number: string;
  kind: InvoiceKind;
  status: InvoiceState;
  currency: string;
  /** YYYY-MM-DD */
  issueDate: string | null;
  /** YYYY-MM-DD; null for credit notes. */
  dueDate: string | null;
  /** total − pre-settled − payments' own allocations not rejected by invoicing; never negative. */
  open: Money;
}

export interface RequestedAllocation {
  invoiceId: string;
  amount: Money;
}

export interface PlannedAllocation {
  invoiceId: string;
  invoiceNumber: string;
  applied: Money;
  rule: AllocationRuleName;
  /** What stays open on the invoice after this allocation (zero: it settles the invoice). */
  openAfter: Money;
}

/** Invariant: amount = sum(allocations[].applied) + unapplied, one currency, nothing negative. */
export interface CashApplication {
  allocations: PlannedAllocation[];
  unapplied: Money;
}

const field = (index: number, name: string): string => `allocations[${index}].${name}`;

/**
 * Rules of explicit allocations that need no invoice: the payment's currency, a positive amount,
 * each invoice once, and no more than the payment in total.
 */
export function checkRequestedAllocations(payment: Money, requested: readonly RequestedAllocation[]): void {
  const seen = new Set<string>();
  requested.forEach((allocation, index) => {
    if (allocation.amount.currency !== payment.currency) {
      throw PaymentsException.forField(
        PaymentsErrorCode.CurrencyMismatch,
        field(index, 'amount.currency'),
        `allocation is in ${allocation.amount.currency} but the payment is in ${payment.currency}`,
      );
    }
    if (!allocation.amount.isPositive()) {
      throw PaymentsException.forField(
        PaymentsErrorCode.AmountNotPositive,
        field(index, 'amount'),
        `an allocation must be greater than zero, got ${allocation.amount.toString()}`,
      );
    }
    if (seen.has(allocation.invoiceId)) {
      throw PaymentsException.forField(
        PaymentsErrorCode.DuplicateAllocation,
        field(index, 'invoiceId'),
        `invoice ${allocation.invoiceId} is named by more than one allocation`,
      );
    }
    seen.add(allocation.invoiceId);
  });
  const total = sumMoney(
    requested.map((a) => a.amount),
    payment.currency,
  );
  if (total.compare(payment) > 0) {
    throw PaymentsException.forField(
      PaymentsErrorCode.AllocationsExceedPayment,
      'allocations',
      `allocations add up to ${total.toString()}, more than the payment of ${payment.toString()}`,
    );
  }
}

/** Applies the allocations the payer asked for, after checking each against its invoice. */
export function applyExplicit(
  payment: Money,
  customerId: string,
  requested: readonly RequestedAllocation[],
  invoices: ReadonlyMap<string, PayableInvoice>,
): CashApplication {
  checkRequestedAllocations(payment, requested);
  const allocations = requested.map((allocation, index): PlannedAllocation => {
    const invoice = invoices.get(allocation.invoiceId);
    const idField = field(index, 'invoiceId');
    if (invoice === undefined) {
      throw PaymentsException.forField(
        PaymentsErrorCode.InvoiceNotFound,
        idField,
        `invoice ${allocation.invoiceId} does not exist`,
      );
    }
    if (invoice.customerId !== customerId) {
      throw PaymentsException.forField(
        PaymentsErrorCode.InvoiceOfAnotherCustomer,
        idField,
        `invoice ${invoice.number || invoice.invoiceId} belongs to another customer`,
      );
    }
    if (invoice.status === 'void') {
      throw PaymentsException.forField(
        PaymentsErrorCode.InvoiceVoided,
        idField,
        `invoice ${invoice.number || invoice.invoiceId} is void`,
      );
    }
    if (invoice.status === 'paid') {
      throw PaymentsException.forField(
        PaymentsErrorCode.InvoiceAlreadyPaid,
        idField,
        `invoice ${invoice.number || invoice.invoiceId} is already paid`,
      );
    }
    if (invoice.kind === 'credit_note') {
      throw PaymentsException.forField(
        PaymentsErrorCode.CreditNoteNotPayable,
        idField,
        `${invoice.number || invoice.invoiceId} is a credit note; payments are applied to invoices`,
      );
    }
    if (invoice.currency !== allocation.amount.currency) {
      throw PaymentsException.forField(
        PaymentsErrorCode.CurrencyMismatch,
        field(index, 'amount.currency'),
        `invoice ${invoice.number || invoice.invoiceId} is in ${invoice.currency}, the allocation in ${allocation.amount.currency}`,
      );
    }
    if (allocation.amount.compare(invoice.open) > 0) {
      throw PaymentsException.forField(
        PaymentsErrorCode.AllocationExceedsOpenAmount,
        field(index, 'amount'),
        `${allocation.amount.toString()} is more than the ${invoice.open.toString()} still open on invoice ${invoice.number || invoice.invoiceId}`,
      );
    }
    return {
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.number,
      applied: allocation.amount,
      rule: 'explicit',
      openAfter: invoice.open.subtract(allocation.amount),
    };
  });
  const applied = sumMoney(
    allocations.map((a) => a.applied),
    payment.currency,
  );
  return { allocations, unapplied: payment.subtract(applied) };
}

function compareNullableLast(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/** Due date, then issue date, then number (then id, so the order is total); unknown dates last. */
export function compareOldestDueFirst(a: PayableInvoice, b: PayableInvoice): number {
  return (
    compareNullableLast(a.dueDate, b.dueDate) ||
    compareNullableLast(a.issueDate, b.issueDate) ||
    compareNullableLast(a.number, b.number) ||
    compareNullableLast(a.invoiceId, b.invoiceId)
  );
}

/** Whether oldest-due-first may put money on this invoice at all. */
export function isPayable(invoice: PayableInvoice, payment: Money, customerId: string): boolean {
  return (
    invoice.customerId === customerId &&
    invoice.kind === 'invoice' &&
    invoice.status !== 'void' &&
    invoice.status !== 'paid' &&
    invoice.currency === payment.currency &&
    invoice.open.isPositive()
  );
}

/**
 * No instruction from the payer: settle the customer's open invoices in the payment's currency,
 * the one due first first, each up to its open amount; what is left is unapplied credit.
 */
export function applyOldestDueFirst(
  payment: Money,
  customerId: string,
  invoices: readonly PayableInvoice[],
): CashApplication {
  const candidates = invoices.filter((i) => isPayable(i, payment, customerId)).sort(compareOldestDueFirst);
  const allocations: PlannedAllocation[] = [];
  let remaining = payment;
  for (const invoice of candidates) {
    if (!remaining.isPositive()) break;
    const applied = Money.min(remaining, invoice.open);
    allocations.push({
      invoiceId: invoice.invoiceId,
      invoiceNumber: invoice.number,
      applied,
      rule: 'oldest_due_first',
      openAfter: invoice.open.subtract(applied),
    });
    remaining = remaining.subtract(applied);
  }
  return { allocations, unapplied: remaining };
}
