import type { Money } from '@duemap/money';

/**
 * The cash application engine's contract: a payment candidate in, suggested allocations with the
 * rule, confidence and evidence of each out. No HTTP, Kafka or TypeORM types here, so the same
 * engine serves REST payments, `bank.payments.v1` and bank statement lines, and runs in the
 * benchmark without a database.
 */

/** What the payer told us and the bank carried; everything but the amount is optional. */
export interface PaymentCandidate {
  /** Positive; its currency is the payment's currency. */
  amount: Money;
  /** YYYY-MM-DD, the value date; invoices issued after it are not matched by amount. */
  receivedOn: string;
  /**
   * Set when the caller already knows the customer (REST payments name one). Taken as given: the
   * caller resolves it first (CustomerDirectory answers 404 for an unknown one).
   */
  customerId?: string | null;
  payerName?: string | null;
  /** IBAN, CNAPS account or card number as the bank printed it (spaces and dashes are ignored). */
  payerAccount?: string | null;
  /** Unstructured remittance information (camt Ustrd, MT940 :86:, a CSV 摘要/附言 column). */
  remittanceText?: string | null;
  /** Structured creditor reference, ISO 11649 (`RF18 5390 0754 7034`) or a bank's own. */
  creditorReference?: string | null;
  /**
   * Invoice numbers the payer gave in structured remittance (camt RfrdDocInf/Nb, documentNumbers of
   * bank.payments.v1), read like numbers written in the remittance text.
   */
  documentNumbers?: readonly string[] | null;
  endToEndId?: string | null;
  /** The payer's own split; applied as given (after checks) and nothing else is guessed. */
  allocations?: readonly ExplicitAllocation[] | null;
}

export interface ExplicitAllocation {
  invoiceId: string;
  amount: Money;
}

/** An invoice as the open-items view holds it. Paid and void ones may be returned by number look-ups. */
export interface OpenInvoice {
  invoiceId: string;
  number: string;
  customerId: string;
  currency: string;
  /** What is still open; zero for a paid invoice. */
  open: Money;
  /** YYYY-MM-DD; null when unknown (sorted last). */
  dueDate: string | null;
  issueDate: string | null;
  /** Paid, void and credit notes are never allocated to; they are reported as evidence. */
  status: 'open' | 'partially_paid' | 'overdue' | 'paid' | 'void';
  kind?: 'invoice' | 'credit_note';
}

export interface CustomerProfile {
  customerId: string;
  /** The registered name first, then aliases (trading names, former names, English names). */
  names: readonly string[];
  /** Known payer accounts, as stored (normalised by the engine). */
  accounts: readonly string[];
}

/**
 * The read-only view of open items the engine needs. Every look-up is bounded and keyed, so the
 * coordinator can implement it over payments' read model with indexed SQL: the keys are made by
 * `invoiceNumberIndexKeys` and `customerNameIndexKeys` (stored in side tables beside invoice_view
 * and customer_view), and accounts by `normaliseAccount`. `InMemoryOpenItems` is the reference
 * implementation (tests, the benchmark).
 */
export interface OpenItemsView {
  /** Invoices (any status) with at least one of these number index keys. */
  invoicesByNumberKeys(keys: readonly string[]): Promise<OpenInvoice[]>;
  /** A customer's invoices with an open amount in this currency, at most `limit`, oldest due first. */
  openInvoicesOfCustomer(customerId: string, currency: string, limit: number): Promise<OpenInvoice[]>;
  /** Open invoices of any customer whose open amount equals `amount` exactly, at most `limit`. */
  openInvoicesWithAmount(amount: Money, limit: number): Promise<OpenInvoice[]>;
  /** Customers one of whose known accounts has this normalised form. */
  customersByAccount(normalisedAccount: string): Promise<CustomerProfile[]>;
  /**
   * Customers sharing the most name index keys with these, best first, at most `limit`. Rare keys
   * should weigh more (the in-memory view weighs 1 / log2(1 + customers with the key)); in SQL,
   * `GROUP BY customer_id ORDER BY count(*) DESC` over a key table is a fair first version.
   */
  customersByNameKeys(keys: readonly string[], limit: number): Promise<CustomerProfile[]>;
  customersByIds(ids: readonly string[]): Promise<CustomerProfile[]>;
  /** Invoices by id (explicit allocations). */
  invoicesByIds(ids: readonly string[]): Promise<OpenInvoice[]>;
}

/** How an allocation was decided, in the order the engine tries them. */
export type MatchRule =
  'explicit' | 'invoice_reference' | 'exact_amount' | 'amount_combination' | 'oldest_due_first';

/** How the customer was found. */
export type CustomerRule = 'given' | 'invoice_reference' | 'bank_account' | 'payer_name' | 'exact_amount';

export interface SuggestedAllocation {
  invoiceId: string;
  invoiceNumber: string;
  customerId: string;
  amount: Money;
  rule: MatchRule;
  /** 0..1: how sure the engine is that this invoice is paid by this much. */
  confidence: number;
  /** Human-readable reasons, e.g. `remittance contains INV-2026-0042 (O→0 corrected)`. */
  evidence: string[];
}

/** Why a payment waits for a person even when each allocation looks fine. */
export type ReviewReason =
  | 'below_threshold'
  | 'payer_unidentified'
  | 'ambiguous_customer'
  | 'ambiguous_reference'
  | 'ambiguous_amount'
  | 'reference_not_open'
  | 'reference_other_currency'
  | 'references_other_customer'
  | 'unapplied_without_customer'
  | 'unexplained_remainder';

export interface CustomerMatch {
  customerId: string;
  rule: CustomerRule;
  confidence: number;
  evidence: string[];
}

/** Invariant: payment amount = Σ allocations[].amount + unapplied, all in the payment's currency. */
export interface CashApplicationResult {
  customer: CustomerMatch | null;
  allocations: SuggestedAllocation[];
  unapplied: Money;
  /** The weakest link: min of the customer's and every allocation's confidence (1 for none needed). */
  confidence: number;
  decision: 'auto_apply' | 'needs_review';
  reviewReasons: ReviewReason[];
  /** Everything the engine noticed, in order, for the worklist's "why". */
  evidence: string[];
}

export interface CashApplicationConfig {
  /** Auto-apply at or above this overall confidence (and with no review reason). */
  autoApplyThreshold: number;
  /** Subset-sum: the customer's oldest open invoices considered. */
  maxCombinationInvoices: number;
  /** Subset-sum: the most invoices in one combination. */
  maxCombinationSize: number;
  /** Subset-sum: nodes visited before giving up (keeps a pathological customer bounded). */
  maxCombinationSteps: number;
  /** Name candidates scored per payment. */
  maxNameCandidates: number;
  /** Oldest-due-first: invoices read at most (what a payment pays beyond them stays unapplied). */
  maxOldestDueFirstInvoices: number;
}

export const DEFAULT_CASH_APPLICATION_CONFIG: Readonly<CashApplicationConfig> = Object.freeze({
  autoApplyThreshold: 0.9,
  maxCombinationInvoices: 24,
  maxCombinationSize: 4,
  maxCombinationSteps: 50_000,
  maxNameCandidates: 25,
  maxOldestDueFirstInvoices: 1000,
});
