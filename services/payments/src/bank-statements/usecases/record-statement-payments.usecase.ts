import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectConfig } from '@duemap/config';
import { isMoneyError, Money } from '@duemap/money';
import { DataSource, type EntityManager } from 'typeorm';
import type { PaymentsConfig } from '../../config';
import { CashApplicationEngine } from '../../cash-application/cash-application.engine';
import type { CashApplicationResult, PaymentCandidate } from '../../cash-application/cash-application.types';
import { SqlOpenItems } from '../../cash-application/sql-open-items';
import { PaymentsException } from '../../common/payments.exception';
import { applyExplicit, type CashApplication } from '../../payments/cash-application';
import { outboxRow } from '@duemap/messaging';
import { paymentReceivedEvent } from '../../payments/payment-events';
import { statusOfDecided } from '../../payments/payment-ledger';
import { PaymentAllocationEntity, PaymentEntity, type StoredSuggestion } from '../../payments/payment.entity';
import { PaymentsRepository } from '../../payments/payments.repository';

/** A credit line waiting for cash application, as the import stored it. */
interface WaitingLine {
  statement_id: string;
  line_no: number;
  dedup_key: string | null;
  amount_minor: string;
  currency: string;
  value_date: string | null;
  booking_date: string | null;
  payer_name: string | null;
  ultimate_payer_name: string | null;
  payer_iban: string | null;
  payer_account: string | null;
  remittance: string;
  creditor_reference: string | null;
  document_numbers: string[] | null;
  end_to_end_id: string | null;
  bank_transaction_id: string | null;
}

export interface StatementPaymentsOutcome {
  /** Lines taken in this run. */
  lines: number;
  applied: number;
  needsReview: number;
  /** Lines whose payment existed already (the same bank transaction recorded before). */
  known: number;
  /** Lines cash application refused for good (set aside as not_candidate with the reason). */
  refused: number;
}

/** Every payment of a statement line answers to one key: its bank identity, else its place in the file. */
export function statementIdempotencyKey(line: {
  statement_id: string;
  line_no: number;
  dedup_key: string | null;
}): string {
  const key =
    line.dedup_key !== null ? `bank:${line.dedup_key}` : `statement:${line.statement_id}:${line.line_no}`;
  return key.slice(0, 200);
}

/**
 * Turns imported bank statement credits into payments (issue 18, ADR 0031). Each waiting line goes
 * through the cash application engine over payments' read model; a confident result is recorded
 * like a REST payment — under its customer's lock, its allocations checked against what is open
 * now, with payment-received in the outbox — and anything else is recorded as a payment that
 * waits in the exceptions worklist with the engine's suggestion, reasons and evidence (no event
 * until a person decides). Lines are claimed with SKIP LOCKED, so several instances share them;
 * a failed batch rolls back and its lines wait for the next run.
 */
@Injectable()
export class RecordStatementPaymentsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: PaymentsConfig,
    private readonly payments: PaymentsRepository,
  ) {}

  execute(limit = this.config.CASH_APPLICATION_BATCH): Promise<StatementPaymentsOutcome> {
    return this.dataSource.transaction(async (em) => {
      const lines: WaitingLine[] = await em.query(
        `SELECT statement_id, line_no, dedup_key, amount_minor::text AS amount_minor, currency,
                to_char(value_date, 'YYYY-MM-DD') AS value_date, to_char(booking_date, 'YYYY-MM-DD') AS booking_date,
                payer_name, ultimate_payer_name, payer_iban, payer_account, remittance, creditor_reference,
                document_numbers, end_to_end_id, bank_transaction_id
           FROM bank_statement_lines
          WHERE status = 'unmatched'
          ORDER BY statement_id, line_no
          LIMIT $1
            FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      const outcome: StatementPaymentsOutcome = {
        lines: lines.length,
        applied: 0,
        needsReview: 0,
        known: 0,
        refused: 0,
      };
      const engine = new CashApplicationEngine(new SqlOpenItems(em), {
        autoApplyThreshold: this.config.CASH_APPLICATION_AUTO_APPLY_PER_MILLE / 1000,
      });
      // One line at a time: the next line's engine run sees what this one applied.
      for (const line of lines) {
        let result: 'applied' | 'needsReview' | 'known';
        try {
          result = await em.transaction((inner) => this.recordLine(inner, engine, line));
        } catch (err) {
          // A line the domain refuses for good would come back at every run and hold the others
          // up: it is set aside with the reason, for a person (the import's summary shows it).
          if (!(err instanceof PaymentsException) && !isMoneyError(err)) throw err;
          await em.query(
            `UPDATE bank_statement_lines SET status = 'not_candidate', reason = $3
              WHERE statement_id = $1 AND line_no = $2`,
            [
              line.statement_id,
              line.line_no,
              `cash application refused it: ${(err as Error).message}`.slice(0, 500),
            ],
          );
          outcome.refused += 1;
          continue;
        }
        outcome[result] += 1;
        await em.query(
          `UPDATE bank_statement_lines l SET status = 'recorded', payment_id = p.id
             FROM payment p WHERE p.idempotency_key = $3 AND l.statement_id = $1 AND l.line_no = $2`,
          [line.statement_id, line.line_no, statementIdempotencyKey(line)],
        );
      }
      return outcome;
    });
  }

  private async recordLine(
    em: EntityManager,
    engine: CashApplicationEngine,
    line: WaitingLine,
  ): Promise<'applied' | 'needsReview' | 'known'> {
    const key = statementIdempotencyKey(line);
    if ((await this.payments.findByIdempotencyKey(em, key)) !== null) return 'known';
    const amount = Money.fromMinor(BigInt(line.amount_minor), line.currency);
    const candidate: PaymentCandidate = {
      amount,
      receivedOn: line.value_date ?? line.booking_date ?? new Date().toISOString().slice(0, 10),
      payerName: line.payer_name ?? line.ultimate_payer_name,
      payerAccount: line.payer_iban ?? line.payer_account,
      remittanceText: line.remittance,
      creditorReference: line.creditor_reference,
      documentNumbers: line.document_numbers,
      endToEndId: line.end_to_end_id,
    };
    const result = await engine.apply(candidate);
    const payment = this.newPayment(line, key, result);
    const customerId = result.customer?.customerId ?? null;
    // The same amount, day and payer recorded before under another key (another bank's copy, a
    // REST post of the same transfer): possibly one payment twice, so a person looks, nothing is dropped.
    const twin = await this.payments.findLookalike(em, {
      amountMinor: line.amount_minor,
      currency: line.currency,
      receivedOn: candidate.receivedOn,
      payerName: candidate.payerName ?? null,
      payerAccount: candidate.payerAccount ?? null,
    });
    if (twin !== null) {
      payment.reviewReasons = [
        ...payment.reviewReasons.filter((r) => r !== 'below_threshold'),
        'possible_duplicate',
      ];
      payment.evidence = [
        ...payment.evidence,
        `payment ${twin} has the same amount, date and payer: possibly the same transfer twice`,
      ];
    }
    if (twin === null && result.decision === 'auto_apply' && customerId !== null) {
      const allocations = await this.checkedAllocations(em, payment, customerId, result);
      if (allocations !== null) {
        payment.customerId = customerId;
        payment.status = statusOfDecided(
          amount.minor,
          allocations.map((a) => BigInt(a.appliedMinor)),
        );
        const event = outboxRow(
          this.config.SERVICE_NAME,
          paymentReceivedEvent(payment, allocations, { sourceSystem: 'bank-statement', externalId: key }),
        );
        await this.payments.insertWithEvents(em, [{ payment: { payment, allocations }, event }]);
        await this.payments.learnPayerAccount(em, payment, result.customer?.rule ?? null);
        return 'applied';
      }
      payment.reviewReasons = [...payment.reviewReasons, 'open_amount_changed'];
    }
    payment.customerId = customerId;
    payment.status = 'needs_review';
    if (payment.reviewReasons.length === 0) payment.reviewReasons = ['below_threshold'];
    await this.payments.insertWithEvents(em, [{ payment: { payment, allocations: [] }, event: null }]);
    return 'needsReview';
  }

  /**
   * The engine read without the customer's lock; under it, each allocation is checked again against
   * what is open now (payments of the same customer may have committed since). Null when one no
   * longer fits: the payment goes to the worklist rather than being applied on stale numbers.
   */
  private async checkedAllocations(
    em: EntityManager,
    payment: PaymentEntity,
    customerId: string,
    result: CashApplicationResult,
  ): Promise<PaymentAllocationEntity[] | null> {
    const [grounds] = await this.payments.lockForPayments(em, [
      {
        customerId,
        idempotencyKey: payment.idempotencyKey,
        selection: { invoiceIds: result.allocations.map((a) => a.invoiceId) },
      },
    ]);
    if (!grounds) return null;
    let checked: CashApplication;
    try {
      checked = applyExplicit(
        Money.fromMinor(BigInt(payment.amountMinor), payment.currency),
        customerId,
        result.allocations.map((a) => ({ invoiceId: a.invoiceId, amount: a.amount })),
        new Map(grounds.invoices.map((i) => [i.invoiceId, i])),
      );
    } catch (err) {
      if (err instanceof PaymentsException) return null;
      throw err;
    }
    return result.allocations.map((a, position) =>
      Object.assign(new PaymentAllocationEntity(), {
        paymentId: payment.id,
        invoiceId: a.invoiceId,
        position,
        invoiceNumber: a.invoiceNumber,
        appliedMinor: a.amount.minor.toString(),
        // applyExplicit keeps the order it was given.
        invoiceOpenAfterMinor: checked.allocations[position]?.openAfter.minor.toString() ?? null,
        rejectedMinor: '0',
        rule: a.rule,
        rejectionReason: null,
        rejectedAt: null,
        confidence: a.confidence.toFixed(3),
        evidence: a.evidence,
        reversedAt: null,
      }),
    );
  }

  private newPayment(line: WaitingLine, key: string, result: CashApplicationResult): PaymentEntity {
    const now = new Date();
    const suggestion: StoredSuggestion = {
      customerId: result.customer?.customerId ?? null,
      customerRule: result.customer?.rule ?? null,
      allocations: result.allocations.map((a) => ({
        invoiceId: a.invoiceId,
        invoiceNumber: a.invoiceNumber,
        amountMinor: a.amount.minor.toString(),
        rule: a.rule,
        confidence: a.confidence,
        evidence: a.evidence,
      })),
    };
    const receivedOn = line.value_date ?? line.booking_date;
    return Object.assign(new PaymentEntity(), {
      id: randomUUID(),
      customerId: null,
      amountMinor: line.amount_minor,
      currency: line.currency,
      receivedAt: receivedOn === null ? now : new Date(`${receivedOn}T00:00:00Z`),
      method: 'bank_transfer' as const,
      reference: line.remittance.slice(0, 500),
      status: 'needs_review' as const,
      idempotencyKey: key,
      requestHash: key,
      createdAt: now,
      source: 'bank_statement' as const,
      payerName: line.payer_name ?? line.ultimate_payer_name,
      payerAccount: line.payer_iban ?? line.payer_account,
      endToEndId: line.end_to_end_id,
      bankTransactionId: line.bank_transaction_id,
      statementId: line.statement_id,
      statementLineNo: line.line_no,
      confidence: result.confidence.toFixed(3),
      reviewReasons: [...result.reviewReasons],
      suggestion,
      evidence: result.evidence,
      reviewedBy: null,
      reviewedAt: null,
      reversedAt: null,
      reversalReason: null,
      reversalDetail: null,
      reversedBy: null,
      refundedMinor: '0',
      updatedAt: now,
    });
  }
}
