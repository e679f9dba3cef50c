import bankPaymentsSchema from '../schemas/bank.payments.v1.schema.json';
import erpInvoicesSchema from '../schemas/erp.invoices.v1.schema.json';

// The records of the bulk ingestion topics, which outside systems (ERPs, banks) write as JSON. The
// JSON Schema files in libs/events/schemas/ are the published contract; the interfaces below are
// what a record looks like once it has passed its schema (ingestionTopic in @duemap/messaging
// validates before a handler sees it). Keep the two in step: ingestion-records.spec.ts checks
// that the schema's examples are valid and that every field is described.

/** A record of `bank.payments.v1`: one transaction on a bank account (see the schema's descriptions). */
export interface BankPaymentRecord {
  /** The bank's own id of the transaction; with endToEndId, at least one is present. */
  bankTransactionId?: string;
  endToEndId?: string;
  /** The account it was booked on: iban or number, at least one. */
  account: { iban?: string; number?: string; currency?: string };
  /** YYYY-MM-DD. */
  bookingDate: string;
  /** YYYY-MM-DD. */
  valueDate?: string;
  /** A positive decimal string and its ISO 4217 currency. */
  amount: { amount: string; currency: string };
  /** Absent means credit. */
  direction?: 'credit' | 'debit';
  /** Absent means booked. */
  status?: 'booked' | 'pending' | 'info';
  /** Absent means false. */
  reversal?: boolean;
  payer?: { name?: string; iban?: string; account?: string; bic?: string; ultimateName?: string };
  remittance?: string;
  documentNumbers?: string[];
  creditorReference?: string;
  bankText?: string;
}

/** The published JSON Schema of `bank.payments.v1` records (libs/events/schemas/). */
export { bankPaymentsSchema };

/** A record of `erp.invoices.v1`: one invoice from an ERP (see the schema's descriptions). */
export interface ErpInvoiceRecord {
  sourceSystem: string;
  externalId: string;
  /** A non-negative integer that grows with every change in the ERP. */
  sourceVersion: number;
  /** Exactly one form: the Duemap id, or the customer's record in an ERP. */
  customer: { id: string } | { sourceSystem: string; externalId: string };
  number: string;
  /** Absent means invoice. */
  kind?: 'invoice' | 'credit_note';
  /** YYYY-MM-DD. */
  issueDate: string;
  /** YYYY-MM-DD, on or after issueDate. */
  dueDate: string;
  /** A decimal string and its ISO 4217 currency. */
  total: { amount: string; currency: string };
  /** Amounts are decimal strings in total.currency. */
  lines?: { description: string; quantity?: string; unitPrice?: string; amount: string; tax?: string }[];
}

/** The published JSON Schema of `erp.invoices.v1` records (libs/events/schemas/). */
export { erpInvoicesSchema };
