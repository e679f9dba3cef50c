import { Money } from '@duemap/money';
import type { InvoiceEntity, StoredInvoiceLine } from './invoice.entity';
import type { InvoiceStatus } from './invoice-status';

export interface SourceRef {
  sourceSystem: string;
  externalId: string;
}

/** An invoice as use cases see it: Money and calendar-date strings, no column types. */
export interface Invoice {
  id: string;
  customerId: string;
  source: SourceRef;
  /** How the source named the customer, when it did so by source reference. */
  customerSource: SourceRef | null;
  number: string;
  issueDate: string;
  dueDate: string;
  total: Money;
  /** Sum of the payments applied. */
  paid: Money;
  /** What is still owed: total - paid, or 0 once void. */
  open: Money;
  status: InvoiceStatus;
  timeZone: string;
  overdueAt: Date;
  lines: StoredInvoiceLine[];
  voidReason: string | null;
  voidedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** Incremented with every change written under the row's lock; its events carry it. */
  version: bigint;
  /**
   * The source's version of the record (see InvoiceEntity.sourceVersion); null when it gave none.
   * Optional so that invoices built without reading it (fixtures) leave the stored one alone.
   */
  sourceVersion?: bigint | null;
}

export interface AppliedPayment {
  paymentId: string;
  applied: Money;
  appliedAt: Date;
}

export function toInvoice(row: InvoiceEntity): Invoice {
  return {
    id: row.id,
    customerId: row.customerId,
    source: { sourceSystem: row.sourceSystem, externalId: row.externalId },
    customerSource:
      row.customerSourceSystem !== null && row.customerExternalId !== null
        ? { sourceSystem: row.customerSourceSystem, externalId: row.customerExternalId }
        : null,
    number: row.number,
    issueDate: row.issueDate,
    dueDate: row.dueDate,
    total: Money.fromMinor(BigInt(row.totalMinor), row.currency),
    paid: Money.fromMinor(BigInt(row.paidMinor), row.currency),
    open: Money.fromMinor(BigInt(row.openMinor), row.currency),
    status: row.status,
    timeZone: row.timeZone,
    overdueAt: row.overdueAt,
    lines: row.lines.map(orderedLine),
    voidReason: row.voidReason,
    voidedAt: row.voidedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: BigInt(row.version),
    sourceVersion:
      row.sourceVersion === null || row.sourceVersion === undefined ? null : BigInt(row.sourceVersion),
  };
}

/**
 * jsonb keeps its own key order; lines are rebuilt in one order on read so that comparing two
 * states (JSON.stringify) and the API output do not depend on how Postgres stored them.
 */
export function orderedLine(line: StoredInvoiceLine): StoredInvoiceLine {
  const ordered: StoredInvoiceLine = {
    lineNumber: line.lineNumber,
    description: line.description,
    quantity: line.quantity,
    amount: { amount: line.amount.amount, currency: line.amount.currency },
  };
  if (line.unitPrice !== undefined) {
    ordered.unitPrice = { amount: line.unitPrice.amount, currency: line.unitPrice.currency };
  }
  if (line.tax !== undefined) ordered.tax = { amount: line.tax.amount, currency: line.tax.currency };
  return ordered;
}

export function toRow(invoice: Invoice): InvoiceEntity {
  return {
    id: invoice.id,
    customerId: invoice.customerId,
    sourceSystem: invoice.source.sourceSystem,
    externalId: invoice.source.externalId,
    customerSourceSystem: invoice.customerSource?.sourceSystem ?? null,
    customerExternalId: invoice.customerSource?.externalId ?? null,
    number: invoice.number,
    issueDate: invoice.issueDate,
    dueDate: invoice.dueDate,
    currency: invoice.total.currency,
    totalMinor: invoice.total.minor.toString(),
    paidMinor: invoice.paid.minor.toString(),
    openMinor: invoice.open.minor.toString(),
    status: invoice.status,
    timeZone: invoice.timeZone,
    overdueAt: invoice.overdueAt,
    lines: invoice.lines,
    voidReason: invoice.voidReason,
    voidedAt: invoice.voidedAt,
    createdAt: invoice.createdAt,
    updatedAt: invoice.updatedAt,
    version: invoice.version.toString(),
    sourceVersion:
      invoice.sourceVersion === undefined || invoice.sourceVersion === null
        ? null
        : invoice.sourceVersion.toString(),
  };
}

export function sameSource(a: SourceRef | null, b: SourceRef | null): boolean {
  if (a === null || b === null) return a === b;
  return a.sourceSystem === b.sourceSystem && a.externalId === b.externalId;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
