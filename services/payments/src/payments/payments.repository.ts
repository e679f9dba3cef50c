import { Injectable } from '@nestjs/common';
import { Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import type { InvoiceKind, InvoiceState } from '../invoices/invoice-view.entity';
import { normaliseAccount } from '../cash-application/payer-names';
import type { PayableInvoice } from './cash-application';
import { outboxColumns, outboxRowsSelect, type OutboxRow } from '@duemap/messaging';
import { PaymentAllocationEntity, PaymentEntity, PaymentRefundEntity } from './payment.entity';
import { toPaymentView, type PaymentView } from './payment.view';

interface PayableRow {
  invoice_id: string;
  customer_id: string;
  number: string;
  kind: InvoiceKind;
  status: InvoiceState;
  currency: string;
  total_minor: string;
  pre_settled_minor: string;
  issue_date: string | null;
  due_date: string | null;
  allocated_minor: string;
}

// Dates as text: node-postgres turns a `date` into a JS Date at local midnight, which is how
// due dates shift by a day.
const PAYABLE_SELECT = `
  SELECT i.invoice_id, i.customer_id, i.number, i.kind, i.status, i.currency,
         i.total_minor::text AS total_minor, i.pre_settled_minor::text AS pre_settled_minor,
         to_char(i.issue_date, 'YYYY-MM-DD') AS issue_date, to_char(i.due_date, 'YYYY-MM-DD') AS due_date,
         COALESCE(SUM(a.applied_minor - a.rejected_minor) FILTER (WHERE a.reversed_at IS NULL), 0)::text AS allocated_minor
  FROM invoice_view i
  LEFT JOIN payment_allocation a ON a.invoice_id = i.invoice_id`;

function toPayable(row: PayableRow): PayableInvoice {
  const open = BigInt(row.total_minor) - BigInt(row.pre_settled_minor) - BigInt(row.allocated_minor);
  return {
    invoiceId: row.invoice_id,
    customerId: row.customer_id,
    number: row.number,
    kind: row.kind,
    status: row.status,
    currency: row.currency,
    issueDate: row.issue_date,
    dueDate: row.due_date,
    open: Money.fromMinor(open > 0n ? open : 0n, row.currency),
  };
}

export interface NewPayment {
  payment: PaymentEntity;
  allocations: PaymentAllocationEntity[];
}

/** Which invoices a payment may go to: the customer's payable ones in a currency, or those named. */
export type InvoiceSelection = { currency: string } | { invoiceIds: readonly string[] };

/** What a payment is decided on, read under its customer's lock. */
export interface PaymentGrounds {
  /** The payment already stored under the request's idempotency key. */
  twin: { id: string; requestHash: string } | null;
  invoices: PayableInvoice[];
}

interface GroundsRow {
  idx: number;
  fresh: boolean;
  twin_id: string | null;
  twin_request_hash: string | null;
  invoices: PayableRow[];
}

/** One payment to decide: its customer, its idempotency key and the invoices it may go to. */
export interface PaymentAsk {
  customerId: string;
  idempotencyKey: string;
  selection: InvoiceSelection;
}

// The customers' rows are locked first (in customer id order, so two batches cannot deadlock),
// then each ask's payment under its key and its invoices are read, all in one statement. Under
// READ COMMITTED that statement's snapshot is taken before the locks, so if it waited for another
// payment of a customer it cannot see what that payment wrote. Every payment therefore also
// writes a new version of its customer's row (see insertWithEvents): when the locked row (its
// newest version) is not the version the snapshot sees, that ask's reads are stale and `fresh`
// says so. The invoices are either the customer's payable ones in the currency, or those named
// (a gating condition on the ask picks one branch).
const GROUNDS_SELECT = `
  WITH ask AS (
    SELECT * FROM jsonb_to_recordset($1::jsonb)
      AS a(idx int, customer_id text, idempotency_key text, currency text, invoice_ids text[])
  ), locked AS MATERIALIZED (
    SELECT c.customer_id, c.xmin AS version FROM customer_view c
     WHERE c.customer_id IN (SELECT customer_id FROM ask)
     ORDER BY c.customer_id
       FOR UPDATE
  )
  SELECT ask.idx,
         locked.version = (SELECT xmin FROM customer_view v WHERE v.customer_id = ask.customer_id) AS fresh,
         twin.id AS twin_id, twin.request_hash AS twin_request_hash,
         (SELECT COALESCE(json_agg(p), '[]'::json) FROM (
            ${PAYABLE_SELECT}
             WHERE ask.invoice_ids IS NULL AND i.customer_id = ask.customer_id AND i.currency = ask.currency
               AND i.kind = 'invoice' AND i.status NOT IN ('void', 'paid')
             GROUP BY i.invoice_id
            UNION ALL
            ${PAYABLE_SELECT}
             WHERE ask.invoice_ids IS NOT NULL AND i.invoice_id = ANY(ask.invoice_ids)
             GROUP BY i.invoice_id) p) AS invoices
    FROM ask
    JOIN locked ON locked.customer_id = ask.customer_id
    LEFT JOIN payment twin ON twin.idempotency_key = ask.idempotency_key`;

// Payments, allocations and outbox rows of a batch, and the new versions of their customers' rows,
// in one statement. Outbox ids follow the array order.
const INSERT_PAYMENTS = `
  WITH p AS (
    INSERT INTO payment (id, customer_id, amount_minor, currency, received_at, method, reference, status,
                         idempotency_key, request_hash, created_at, source, payer_name, payer_account,
                         end_to_end_id, bank_transaction_id, statement_id, statement_line_no, confidence,
                         review_reasons, suggestion, evidence, reviewed_by, reviewed_at, updated_at)
    SELECT p.*, p.created_at FROM jsonb_to_recordset($1::jsonb) AS p(id uuid, customer_id text, amount_minor bigint,
           currency text, received_at timestamptz, method text, reference text, status text,
           idempotency_key text, request_hash text, created_at timestamptz, source text, payer_name text,
           payer_account text, end_to_end_id text, bank_transaction_id text, statement_id uuid,
           statement_line_no int, confidence numeric, review_reasons text[], suggestion jsonb, evidence text[],
           reviewed_by text, reviewed_at timestamptz)
  ), a AS (
    INSERT INTO payment_allocation (payment_id, invoice_id, position, invoice_number, applied_minor,
                                    rejected_minor, rule, rejection_reason, rejected_at, confidence, evidence)
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS a(payment_id uuid, invoice_id text, position int,
           invoice_number text, applied_minor bigint, rejected_minor bigint, rule text,
           rejection_reason text, rejected_at timestamptz, confidence numeric, evidence text[])
  ), o AS (
    INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers, shard)
    ${outboxRowsSelect(3)}
  )
  UPDATE customer_view SET last_occurred_at = last_occurred_at WHERE customer_id = ANY($10::text[])`;

@Injectable()
export class PaymentsRepository {
  findByIdempotencyKey(em: EntityManager, idempotencyKey: string): Promise<PaymentEntity | null> {
    return em.getRepository(PaymentEntity).findOneBy({ idempotencyKey });
  }

  /**
   * Takes the customers' row locks for the rest of the transaction (payments of one customer are
   * decided one at a time, so two of them cannot both apply the same open amount) and reads what
   * each payment is decided on: the payment under its idempotency key, and the invoices with the
   * open amounts computed here. One round trip for all the asks (the customers must differ), a
   * second one only for those whose lock had to wait for another payment of the customer. Null
   * for an ask whose customer the read model does not know.
   */
  async lockForPayments(em: EntityManager, asks: readonly PaymentAsk[]): Promise<(PaymentGrounds | null)[]> {
    const grounds: (PaymentGrounds | null)[] = asks.map(() => null);
    let pending = asks.map((ask, idx) => ({ ask, idx }));
    // The second read runs with the locks held, on a snapshot taken after them: it is fresh.
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt++) {
      const rows: GroundsRow[] = await em.query(GROUNDS_SELECT, [
        JSON.stringify(
          pending.map(({ ask, idx }) => ({
            idx,
            customer_id: ask.customerId,
            idempotency_key: ask.idempotencyKey,
            currency: 'currency' in ask.selection ? ask.selection.currency : null,
            invoice_ids: 'invoiceIds' in ask.selection ? ask.selection.invoiceIds : null,
          })),
        ),
      ]);
      const stale = new Set<number>();
      for (const row of rows) {
        if (!row.fresh) {
          stale.add(row.idx);
          continue;
        }
        grounds[row.idx] = {
          twin:
            row.twin_id === null ? null : { id: row.twin_id, requestHash: row.twin_request_hash as string },
          invoices: row.invoices.map(toPayable),
        };
      }
      pending = pending.filter(({ idx }) => stale.has(idx));
    }
    if (pending.length > 0) {
      const ids = pending.map(({ ask }) => ask.customerId).join(', ');
      throw new Error(`customer_view rows of ${ids} changed while this transaction held their locks`);
    }
    return grounds;
  }

  /**
   * The payments, their allocations and their outbox rows in one statement (one round trip for a
   * whole batch of POSTs). It also writes a new version of each customer's row, unchanged: that is
   * how a payment of the same customer waiting for the lock learns its snapshot is older than
   * this payment (see lockForPayments).
   */
  async insertWithEvents(
    em: EntityManager,
    stored: readonly { payment: NewPayment; event: OutboxRow | null }[],
  ): Promise<void> {
    if (stored.length === 0) return;
    const events = stored.flatMap((s) => (s.event === null ? [] : [s.event]));
    await em.query(INSERT_PAYMENTS, [
      JSON.stringify(
        stored.map(({ payment: { payment: p } }) => ({
          id: p.id,
          customer_id: p.customerId,
          amount_minor: p.amountMinor,
          currency: p.currency,
          received_at: p.receivedAt,
          method: p.method,
          reference: p.reference,
          status: p.status,
          idempotency_key: p.idempotencyKey,
          request_hash: p.requestHash,
          created_at: p.createdAt,
          source: p.source ?? 'api',
          payer_name: p.payerName ?? null,
          payer_account: p.payerAccount ?? null,
          end_to_end_id: p.endToEndId ?? null,
          bank_transaction_id: p.bankTransactionId ?? null,
          statement_id: p.statementId ?? null,
          statement_line_no: p.statementLineNo ?? null,
          confidence: p.confidence ?? null,
          review_reasons: p.reviewReasons ?? [],
          suggestion: p.suggestion ?? null,
          evidence: p.evidence ?? [],
          reviewed_by: p.reviewedBy ?? null,
          reviewed_at: p.reviewedAt ?? null,
        })),
      ),
      JSON.stringify(
        stored.flatMap(({ payment: { allocations } }) =>
          allocations.map((a) => ({
            payment_id: a.paymentId,
            invoice_id: a.invoiceId,
            position: a.position,
            invoice_number: a.invoiceNumber,
            applied_minor: a.appliedMinor,
            rejected_minor: a.rejectedMinor,
            rule: a.rule,
            rejection_reason: a.rejectionReason,
            rejected_at: a.rejectedAt,
            confidence: a.confidence ?? null,
            evidence: a.evidence ?? [],
          })),
        ),
      ),
      ...outboxColumns(events),
      stored.flatMap(({ payment: { payment: p } }) => (p.customerId === null ? [] : [p.customerId])),
    ]);
  }

  /**
   * Remembers the paying account as the customer's, so the next payment from it identifies its payer
   * by account (the engine's strongest payer evidence). Learned from a person's decision, or from an
   * auto-applied payment whose customer was not itself guessed from the payer's name.
   */
  async learnPayerAccount(
    em: EntityManager,
    payment: PaymentEntity,
    customerRule: string | null,
  ): Promise<void> {
    if (payment.payerAccount === null || payment.customerId === null || customerRule === 'payer_name') return;
    const account = normaliseAccount(payment.payerAccount);
    if (account.length < 6) return;
    await em.query(
      `INSERT INTO customer_payer_account (account, customer_id, learned_from, learned_at)
       VALUES ($1, $2, $3, now()) ON CONFLICT DO NOTHING`,
      [account, payment.customerId, payment.id],
    );
  }

  /**
   * A payment not reversed with the same amount, value date and payer (account, else name), if any:
   * the signs of one transfer recorded twice when no bank id says so.
   */
  async findLookalike(
    em: EntityManager,
    like: {
      amountMinor: string;
      currency: string;
      receivedOn: string;
      payerName: string | null;
      payerAccount: string | null;
    },
  ): Promise<string | null> {
    if (like.payerAccount === null && like.payerName === null) return null;
    const rows: { id: string }[] = await em.query(
      `SELECT id FROM payment
        WHERE currency = $1 AND amount_minor = $2::bigint
          AND received_at >= $3::date AND received_at < $3::date + 1
          AND status <> 'reversed'
          AND ($4::text IS NOT NULL AND payer_account = $4 OR $4::text IS NULL AND payer_name = $5)
        LIMIT 1`,
      [like.currency, like.amountMinor, like.receivedOn, like.payerAccount, like.payerName],
    );
    return rows[0]?.id ?? null;
  }

  async loadView(em: EntityManager, paymentId: string): Promise<PaymentView | null> {
    const payment = await em.getRepository(PaymentEntity).findOneBy({ id: paymentId });
    if (payment === null) return null;
    const allocations = await em.getRepository(PaymentAllocationEntity).findBy({ paymentId });
    return toPaymentView(payment, allocations);
  }

  findPayment(em: EntityManager, paymentId: string): Promise<PaymentEntity | null> {
    return em.getRepository(PaymentEntity).findOneBy({ id: paymentId });
  }

  findPaymentForUpdate(em: EntityManager, paymentId: string): Promise<PaymentEntity | null> {
    return em.getRepository(PaymentEntity).findOne({
      where: { id: paymentId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  findAllocation(
    em: EntityManager,
    paymentId: string,
    invoiceId: string,
  ): Promise<PaymentAllocationEntity | null> {
    return em.getRepository(PaymentAllocationEntity).findOneBy({ paymentId, invoiceId });
  }

  async saveAllocation(em: EntityManager, allocation: PaymentAllocationEntity): Promise<void> {
    await em.getRepository(PaymentAllocationEntity).save(allocation);
  }

  /**
   * Takes a customer's payment lock (the row every payment of it decides under) and writes a new
   * version of the row, so a payment that waited for it knows its snapshot is stale. False when the
   * read model does not know the customer.
   */
  async lockCustomer(em: EntityManager, customerId: string): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `UPDATE customer_view SET last_occurred_at = last_occurred_at WHERE customer_id = $1 RETURNING 1`,
      [customerId],
    );
    return rows.length > 0;
  }

  allocationsOf(em: EntityManager, paymentId: string): Promise<PaymentAllocationEntity[]> {
    return em
      .getRepository(PaymentAllocationEntity)
      .find({ where: { paymentId }, order: { position: 'ASC' } });
  }

  async savePayment(em: EntityManager, payment: PaymentEntity): Promise<void> {
    await em.getRepository(PaymentEntity).save(payment);
  }

  async insertAllocations(em: EntityManager, allocations: readonly PaymentAllocationEntity[]): Promise<void> {
    if (allocations.length > 0) await em.getRepository(PaymentAllocationEntity).insert([...allocations]);
  }

  async markAllocationsReversed(em: EntityManager, paymentId: string, at: Date): Promise<void> {
    await em.query(
      `UPDATE payment_allocation SET reversed_at = $2 WHERE payment_id = $1 AND reversed_at IS NULL`,
      [paymentId, at],
    );
  }

  findRefundByKey(em: EntityManager, idempotencyKey: string): Promise<PaymentRefundEntity | null> {
    return em.getRepository(PaymentRefundEntity).findOneBy({ idempotencyKey });
  }

  async insertRefund(em: EntityManager, refund: PaymentRefundEntity): Promise<void> {
    await em.getRepository(PaymentRefundEntity).insert(refund);
  }

  /** Views of many payments (a page of the listing), in the order of the ids. */
  async loadViews(em: EntityManager, payments: readonly PaymentEntity[]): Promise<PaymentView[]> {
    if (payments.length === 0) return [];
    const allocations = await em
      .getRepository(PaymentAllocationEntity)
      .createQueryBuilder('a')
      .where('a.paymentId IN (:...ids)', { ids: payments.map((p) => p.id) })
      .getMany();
    const byPayment = new Map<string, PaymentAllocationEntity[]>();
    for (const a of allocations) byPayment.set(a.paymentId, [...(byPayment.get(a.paymentId) ?? []), a]);
    return payments.map((p) => toPaymentView(p, byPayment.get(p.id) ?? []));
  }
}
