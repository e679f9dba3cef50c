import type { Money } from '@duemap/money';

/** The statement formats the importer reads; `detectFormat` tells them apart by content. */
export const STATEMENT_FORMATS = ['camt053', 'camt054', 'mt940', 'csv'] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export function isStatementFormat(value: unknown): value is StatementFormat {
  return typeof value === 'string' && (STATEMENT_FORMATS as readonly string[]).includes(value);
}

/**
 * How the lines of a bank_statements row came in: an uploaded file of one of STATEMENT_FORMATS, or
 * `feed`, the records of the Kafka topic bank.payments.v1 one consumer transaction applied.
 */
export const IMPORT_FORMATS = [...STATEMENT_FORMATS, 'feed'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The account a statement is about: an IBAN where the bank gives one, else its own number. */
export interface StatementAccount {
  iban?: string;
  number?: string;
  /** The account's currency, where the statement states it (camt Acct/Ccy, MT940 :60F:). */
  currency?: string;
}

/** The other side of a line: on a credit the payer, on a debit the beneficiary. */
export interface Counterparty {
  name?: string;
  iban?: string;
  /** An account number that is not an IBAN (camt Othr/Id, a Chinese card number, a BLZ/account). */
  account?: string;
  bic?: string;
  /** On whose behalf the payer paid (camt UltmtDbtr), when the bank says so. */
  ultimateName?: string;
}

/**
 * References a payment can be matched by. Placeholders banks write for "none" (NOTPROVIDED, NONREF)
 * are left out here, so that they never become duplicate keys or match anything.
 */
export interface StatementReferences {
  /** Structured creditor reference (ISO 11649 RF…, or a national one such as a Finnish reference). */
  creditorReference?: string;
  /** Swiss QR-bill reference (QRR) or its predecessor, the 27-digit ISR/ESR reference. */
  qrReference?: string;
  endToEndId?: string;
  /** The bank's own id of the transaction (camt AcctSvcrRef, MT940 reference after `//`). */
  bankTransactionId?: string;
  /** The bank's id of the booking entry (camt NtryRef, MT940 :61: customer reference). */
  entryRef?: string;
  mandateId?: string;
  /** Invoice numbers the payer named in structured remittance (camt RfrdDocInf/Nb). */
  documentNumbers?: string[];
}

/** Where in the file a line came from, for error messages and for the person checking a match. */
export interface SourcePosition {
  /** 1-based line of the entry's start (camt: the TxDtls or Ntry start tag; MT940: the :61: line). */
  line: number;
  column?: number;
  /** camt: the element path, e.g. /Document/BkToCstmrStmt/Stmt[1]/Ntry[3]/NtryDtls/TxDtls[2]. */
  path?: string;
}

/**
 * One booked transaction of a statement: a payment candidate when it is a credit. A camt batch
 * entry (several TxDtls in one Ntry) gives one line per transaction, each with its own amount.
 */
export interface StatementLine {
  format: ImportFormat;
  /** camt Stmt/Id or Ntfctn/Id; MT940 :20: and :28C:; CSV the layout and the file's first date. */
  statementId: string;
  account: StatementAccount;
  /** 1-based number of the entry in the file, and of the transaction within its entry. */
  entryIndex: number;
  txIndex: number;
  /** Calendar dates, YYYY-MM-DD; null where the bank left them out (the Lithuanian sample has none). */
  bookingDate: string | null;
  valueDate: string | null;
  direction: 'credit' | 'debit';
  /**
   * camt Sts: only booked entries are money on the account; PDNG and INFO ones (a notified error,
   * a pending credit) are recorded but are not payment candidates. MT940 and CSV lines are booked.
   */
  bookingStatus: 'booked' | 'pending' | 'info';
  /** A reversal (camt RvslInd, MT940 RC/RD): not a new payment even when it is a credit. */
  reversal: boolean;
  /** Positive, in the transaction's currency. */
  amount: Money;
  counterparty: Counterparty;
  /** Unstructured remittance text (camt Ustrd, MT940 SVWZ+ / REMI), parts joined with a space. */
  remittance: string;
  references: StatementReferences;
  /** What else the bank wrote about the transaction (AddtlNtryInf, booking text, GVC). */
  bankText?: string;
  position: SourcePosition;
}

/** How far a parse has read: bytes of the raw file, and the total when it is known. */
export interface StatementProgress {
  bytesRead: number;
  totalBytes?: number;
  lines: number;
}

export interface ParseOptions {
  /** Called at most once per chunk read. */
  onProgress?: (progress: StatementProgress) => void;
  totalBytes?: number;
}

/** Raw bytes of a statement, chunk by chunk (a file stream, an HTTP request). */
export type ByteSource = AsyncIterable<Buffer | Uint8Array | string>;

/** Placeholders for "no reference" that must never be matched or deduplicated on. */
export function realReference(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '' || /^(NOTPROVIDED|NONREF|NOT PROVIDED|NONE)$/i.test(trimmed)) return undefined;
  return trimmed;
}
