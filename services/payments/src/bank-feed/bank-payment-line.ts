import type { BankPaymentRecord } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { Money } from '@duemap/money';
import type { Counterparty, StatementLine } from '../bank-statements/parsing/statement-line';
import { realReference } from '../bank-statements/parsing/statement-line';
import { StatementErrorCode, StatementParseError } from '../bank-statements/parsing/statement-parse.error';
import { parseAmount } from '../bank-statements/parsing/values';

/** A record of the feed and where it was read: the topic, partition and offset name it in errors and lines. */
export interface FeedRecord {
  record: BankPaymentRecord;
  topic: string;
  partition: number;
  offset: string;
}

/** The code of a FatalEventError for a record the schema let through but payments cannot book. */
export const UNBOOKABLE_RECORD = 'UNBOOKABLE_RECORD';

function unbookable(source: FeedRecord, field: string, problem: string): FatalEventError {
  return new FatalEventError(
    `${source.topic} (partition ${source.partition}, offset ${source.offset}): ${field}: ${problem}`,
    UNBOOKABLE_RECORD,
  );
}

/** The amount as Money, exactly as an uploaded line's (trailing zeros past the currency's digits dropped). */
function amountOf(source: FeedRecord): Money {
  const { amount, currency } = source.record.amount;
  try {
    return parseAmount(amount, currency, {});
  } catch (err) {
    if (!(err instanceof StatementParseError)) throw err;
    // The schema took the shape; what is left is the currency's own rules (an unknown code, more
    // decimals than it has). Retrying cannot mend it: the record goes to the DLQ naming the field.
    const field = err.code === StatementErrorCode.InvalidCurrency ? '/amount/currency' : '/amount/amount';
    throw unbookable(source, field, err.detail);
  }
}

function counterpartyOf(payer: BankPaymentRecord['payer']): Counterparty {
  const counterparty: Counterparty = {};
  if (payer?.name?.trim()) counterparty.name = payer.name.trim();
  if (payer?.iban) counterparty.iban = payer.iban;
  if (payer?.account?.trim()) counterparty.account = payer.account.trim();
  if (payer?.bic) counterparty.bic = payer.bic;
  if (payer?.ultimateName?.trim()) counterparty.ultimateName = payer.ultimateName.trim();
  return counterparty;
}

/**
 * A bank.payments.v1 record (already valid against its schema) as the statement line an upload
 * would have made of the same transaction, so that it is deduplicated, classified and cash-applied
 * the same way. `lineNo` is its place in this consumer transaction's statement. Throws
 * FatalEventError (the consumer dead-letters the record at once) for what the schema cannot say:
 * a currency ISO 4217 does not list, more decimals than the currency has, or ids that are only
 * placeholders (NOTPROVIDED), with which the transaction could not be recognised when it comes again.
 */
export function statementLineOf(source: FeedRecord, lineNo: number): StatementLine {
  const { record } = source;
  const bankTransactionId = realReference(record.bankTransactionId);
  const endToEndId = realReference(record.endToEndId);
  if (bankTransactionId === undefined && endToEndId === undefined) {
    const field = record.bankTransactionId === undefined ? 'endToEndId' : 'bankTransactionId';
    throw unbookable(
      source,
      `/${field}`,
      `"${record[field] ?? ''}" is a placeholder, not an id: a record needs a real bankTransactionId or ` +
        'endToEndId, or it could not be recognised when it comes again',
    );
  }
  const documentNumbers = (record.documentNumbers ?? []).map((n) => n.trim()).filter((n) => n !== '');
  const creditorReference = realReference(record.creditorReference);
  const bankText = record.bankText?.trim();
  return {
    format: 'feed',
    statementId: source.topic,
    account: {
      ...(record.account.iban === undefined ? {} : { iban: record.account.iban }),
      ...(record.account.number === undefined ? {} : { number: record.account.number.trim() }),
      ...(record.account.currency === undefined ? {} : { currency: record.account.currency }),
    },
    entryIndex: lineNo,
    txIndex: 1,
    bookingDate: record.bookingDate,
    valueDate: record.valueDate ?? null,
    direction: record.direction ?? 'credit',
    bookingStatus: record.status ?? 'booked',
    reversal: record.reversal ?? false,
    amount: amountOf(source),
    counterparty: counterpartyOf(record.payer),
    remittance: (record.remittance ?? '').trim(),
    references: {
      ...(creditorReference === undefined ? {} : { creditorReference }),
      ...(endToEndId === undefined ? {} : { endToEndId }),
      ...(bankTransactionId === undefined ? {} : { bankTransactionId }),
      ...(documentNumbers.length === 0 ? {} : { documentNumbers }),
    },
    ...(bankText ? { bankText } : {}),
    // Where the line came from, for the person checking a match: the Kafka record's position.
    position: { line: lineNo, path: `${source.topic}/${source.partition}@${source.offset}` },
  };
}
