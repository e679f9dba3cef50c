import type { MoneyJson } from '@duemap/money';
import type { StoredInvoiceLine } from './invoice.entity';
import type { AppliedPayment, Invoice, SourceRef } from './invoice.model';
import type { InvoiceStatus } from './invoice-status';

/** The invoice as the HTTP API shows it. */
export interface InvoiceView {
  id: string;
  customerId: string;
  source: SourceRef;
  customerSource: SourceRef | null;
  number: string;
  issueDate: string;
  dueDate: string;
  total: MoneyJson;
  openAmount: MoneyJson;
  status: InvoiceStatus;
  timeZone: string;
  lines: StoredInvoiceLine[];
  payments: { paymentId: string; applied: MoneyJson }[];
  voidedAt: string | null;
  voidReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export function toInvoiceView(invoice: Invoice, payments: readonly AppliedPayment[]): InvoiceView {
  return {
    id: invoice.id,
    customerId: invoice.customerId,
    source: invoice.source,
    customerSource: invoice.customerSource,
    number: invoice.number,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    total: invoice.total.toJSON(),
    openAmount: invoice.open.toJSON(),
    status: invoice.status,
    timeZone: invoice.timeZone,
    lines: invoice.lines,
    payments: payments.map((p) => ({ paymentId: p.paymentId, applied: p.applied.toJSON() })),
    voidedAt: invoice.voidedAt?.toISOString() ?? null,
    voidReason: invoice.voidReason,
    createdAt: invoice.createdAt.toISOString(),
    updatedAt: invoice.updatedAt.toISOString(),
  };
}
