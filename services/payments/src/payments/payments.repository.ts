import { Injectable } from '@nestjs/common';
import { Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import type { InvoiceKind, InvoiceState } from '../invoices/invoice-view.entity';
import type { PayableInvoice } from './cash-application';
import type { OutboxRow } from '@duemap/messaging';
import { PaymentAllocationEntity, PaymentEntity } from './payment.entity';
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
         COALESCE(SUM(a.applied_minor - a.rejected_minor), 0)::text AS allocated_minor
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
  fresh: boolean;
  twin_id: string | null;
  twin_request_hash: string | null;
  invoices: PayableRow[];
}

// The customer's row is locked first (a CTE with FOR UPDATE), then the payment under the key and
// the invoices are read, all in one statement. Under READ COMMITTED that statement's snapshot is
// taken before the lock, so if it waited for another payment of the customer it cannot see what
// that payment wrote. Every payment therefore also writes a new version of the customer's row
// (see insertWithEvent): when the locked row (its newest version) is not the version the snapshot
// sees, the reads are stale and `fresh` says so.
const GROUNDS_SELECT = `
  WITH customer AS (SELECT xmin AS version FROM customer_view WHERE customer_id = $1 FOR UPDATE)
  SELECT customer.version = (SELECT xmin FROM customer_view WHERE customer_id = $1) AS fresh,
         twin.id AS twin_id, twin.request_hash AS twin_request_hash,
         (SELECT COALESCE(json_agg(p), '[]'::json) FROM (%INVOICES%) p) AS invoices
    FROM customer
    LEFT JOIN payment twin ON twin.idempotency_key = $2`;

const PAYABLE_OF_CUSTOMER = GROUNDS_SELECT.replace(
  '%INVOICES%',
  `${PAYABLE_SELECT}
   WHERE i.customer_id = $1 AND i.currency = $3 AND i.kind = 'invoice' AND i.status NOT IN ('void', 'paid')
   GROUP BY i.invoice_id`,
);

const NAMED_INVOICES = GROUNDS_SELECT.replace(
  '%INVOICES%',
  `${PAYABLE_SELECT}
   WHERE i.invoice_id = ANY($3::text[])
   GROUP BY i.invoice_id`,
);

@Injectable()
export class PaymentsRepository {
  findByIdempotencyKey(em: EntityManager, idempotencyKey: string): Promise<PaymentEntity | null> {
    return em.getRepository(PaymentEntity).findOneBy({ idempotencyKey });
  }

  /**
   * Takes the customer's row lock for the rest of the transaction (payments of one customer are
   * decided one at a time, so two of them cannot both apply the same open amount) and reads what
   * the payment is decided on: the payment under the idempotency key, and the invoices with the
   * open amounts computed here. One round trip, a second one only when the lock had to wait for
   * another payment of the customer. Null when the read model does not know the customer.
   */
  async lockForPayment(
    em: EntityManager,
    customerId: string,
    idempotencyKey: string,
    selection: InvoiceSelection,
  ): Promise<PaymentGrounds | null> {
    const [sql, invoices] =
      'currency' in selection
        ? [PAYABLE_OF_CUSTOMER, selection.currency]
        : [NAMED_INVOICES, selection.invoiceIds];
    // The second read runs with the lock held, on a snapshot taken after the lock: it is fresh.
    for (let attempt = 1; attempt <= 2; attempt++) {
      const rows: GroundsRow[] = await em.query(sql, [customerId, idempotencyKey, invoices]);
      const row = rows[0];
      if (row === undefined) return null;
      if (!row.fresh) continue;
      return {
        twin: row.twin_id === null ? null : { id: row.twin_id, requestHash: row.twin_request_hash as string },
        invoices: row.invoices.map(toPayable),
      };
    }
    throw new Error(`customer_view row of ${customerId} changed while this transaction held its lock`);
  }

  /**
   * The payment, its allocations and its outbox row in one statement (one round trip on the POST
   * path). It also writes a new version of the customer's row, unchanged: that is how a payment
   * of the same customer waiting for the lock learns its snapshot is older than this payment
   * (see lockForPayment).
   */
  async insertWithEvent(
    em: EntityManager,
    { payment, allocations }: NewPayment,
    event: OutboxRow,
  ): Promise<void> {
    await em.query(
      `WITH p AS (
         INSERT INTO payment (id, customer_id, amount_minor, currency, received_at, method, reference, status,
                              idempotency_key, request_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ), a AS (
         INSERT INTO payment_allocation (payment_id, invoice_id, position, invoice_number, applied_minor,
                                         rejected_minor, rule, rejection_reason, rejected_at)
         SELECT $1, a.invoice_id, a.position, a.invoice_number, a.applied_minor, a.rejected_minor, a.rule,
                a.rejection_reason, a.rejected_at
           FROM jsonb_to_recordset($12::jsonb) AS a(invoice_id text, position int, invoice_number text,
                applied_minor bigint, rejected_minor bigint, rule text, rejection_reason text,
                rejected_at timestamptz)
       ), o AS (
         INSERT INTO outbox (event_id, topic, message_key, event_type, payload, headers, shard)
         VALUES ($13, $14, $15, $16, $17, $18::jsonb, $19)
       )
       UPDATE customer_view SET last_occurred_at = last_occurred_at WHERE customer_id = $2`,
      [
        payment.id,
        payment.customerId,
        payment.amountMinor,
        payment.currency,
        payment.receivedAt,
        payment.method,
        payment.reference,
        payment.status,
        payment.idempotencyKey,
        payment.requestHash,
        payment.createdAt,
        JSON.stringify(
          allocations.map((a) => ({
            invoice_id: a.invoiceId,
            position: a.position,
            invoice_number: a.invoiceNumber,
            applied_minor: a.appliedMinor,
            rejected_minor: a.rejectedMinor,
            rule: a.rule,
            rejection_reason: a.rejectionReason,
            rejected_at: a.rejectedAt,
          })),
        ),
        event.eventId,
        event.topic,
        event.messageKey,
        event.eventType,
        event.payload,
        JSON.stringify(event.headers),
        event.shard,
      ],
    );
  }

  async loadView(em: EntityManager, paymentId: string): Promise<PaymentView | null> {
    const payment = await em.getRepository(PaymentEntity).findOneBy({ id: paymentId });
    if (payment === null) return null;
    const allocations = await em.getRepository(PaymentAllocationEntity).findBy({ paymentId });
    return toPaymentView(payment, allocations);
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
}
