import { Injectable } from '@nestjs/common';
import { Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import type { InvoiceKind, InvoiceState } from '../invoices/invoice-view.entity';
import type { PayableInvoice } from './cash-application';
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

@Injectable()
export class PaymentsRepository {
  findByIdempotencyKey(em: EntityManager, idempotencyKey: string): Promise<PaymentEntity | null> {
    return em.getRepository(PaymentEntity).findOneBy({ idempotencyKey });
  }

  /** The customer's invoices in `currency` that may still take money, open amounts computed here. */
  async payableInvoices(em: EntityManager, customerId: string, currency: string): Promise<PayableInvoice[]> {
    const rows: PayableRow[] = await em.query(
      `${PAYABLE_SELECT}
       WHERE i.customer_id = $1 AND i.currency = $2 AND i.kind = 'invoice' AND i.status NOT IN ('void', 'paid')
       GROUP BY i.invoice_id`,
      [customerId, currency],
    );
    return rows.map(toPayable);
  }

  async invoicesByIds(em: EntityManager, invoiceIds: readonly string[]): Promise<PayableInvoice[]> {
    if (invoiceIds.length === 0) return [];
    const rows: PayableRow[] = await em.query(
      `${PAYABLE_SELECT}
       WHERE i.invoice_id = ANY($1::text[])
       GROUP BY i.invoice_id`,
      [invoiceIds],
    );
    return rows.map(toPayable);
  }

  /** The payment and its allocations in one statement (one round trip on the POST path). */
  async insert(em: EntityManager, { payment, allocations }: NewPayment): Promise<void> {
    await em.query(
      `WITH p AS (
         INSERT INTO payment (id, customer_id, amount_minor, currency, received_at, method, reference, status,
                              idempotency_key, request_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11))
       INSERT INTO payment_allocation (payment_id, invoice_id, position, invoice_number, applied_minor,
                                       rejected_minor, rule, rejection_reason, rejected_at)
       SELECT $1, a.invoice_id, a.position, a.invoice_number, a.applied_minor, a.rejected_minor, a.rule,
              a.rejection_reason, a.rejected_at
         FROM jsonb_to_recordset($12::jsonb) AS a(invoice_id text, position int, invoice_number text,
              applied_minor bigint, rejected_minor bigint, rule text, rejection_reason text, rejected_at timestamptz)`,
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
