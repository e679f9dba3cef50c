import { Injectable } from '@nestjs/common';
import { Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import { InvoiceEntity, InvoicePaymentEntity, AllocationRejectionEntity } from './invoice.entity';
import { isUuid, toInvoice, toRow, type AppliedPayment, type Invoice, type SourceRef } from './invoice.model';
import { SCANNED_STATUSES, type InvoiceStatus } from './invoice-status';

export interface InvoiceFilter {
  customerId?: string;
  status?: InvoiceStatus;
  limit: number;
  offset: number;
}

export interface RejectionRecord {
  paymentId: string;
  invoiceId: string;
  customerId: string;
  requested: Money;
  rejected: Money;
  reason: string;
  detail: string;
  at: Date;
}

/**
 * Invoice storage. Every method takes the EntityManager of the caller's transaction (or the
 * DataSource's manager for plain reads), so a use case stays one transaction.
 */
@Injectable()
export class InvoiceRepository {
  async findById(em: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<Invoice | null> {
    if (!isUuid(id)) return null;
    const row = await em.getRepository(InvoiceEntity).findOne({
      where: { id },
      ...(options.lock === true ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    return row === null ? null : toInvoice(row);
  }

  async findBySource(
    em: EntityManager,
    source: SourceRef,
    options: { lock?: boolean } = {},
  ): Promise<Invoice | null> {
    const row = await em.getRepository(InvoiceEntity).findOne({
      where: { sourceSystem: source.sourceSystem, externalId: source.externalId },
      ...(options.lock === true ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    return row === null ? null : toInvoice(row);
  }

  /**
   * Serialises upserts of one source record for the rest of the transaction, so two first
   * deliveries of the same invoice cannot both insert (nor both emit invoice-issued).
   */
  async lockSource(em: EntityManager, source: SourceRef): Promise<void> {
    await em.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      // Length-prefixed, so ("a/b", "c") and ("a", "b/c") stay different keys.
      `invoice-source:${source.sourceSystem.length}:${source.sourceSystem}/${source.externalId}`,
    ]);
  }

  /** Locks the invoices (in id order, so two transactions cannot deadlock on them) and returns them. */
  async lockMany(em: EntityManager, ids: readonly string[]): Promise<Map<string, Invoice>> {
    const wanted = [...new Set(ids.filter(isUuid).map((id) => id.toLowerCase()))].sort();
    if (wanted.length === 0) return new Map();
    const rows = await em
      .getRepository(InvoiceEntity)
      .createQueryBuilder('i')
      .where('i.id IN (:...ids)', { ids: wanted })
      .orderBy('i.id')
      .setLock('pessimistic_write')
      .getMany();
    return new Map(rows.map((row) => [row.id, toInvoice(row)]));
  }

  async insert(em: EntityManager, invoice: Invoice): Promise<void> {
    await em.getRepository(InvoiceEntity).insert(toRow(invoice));
  }

  async update(em: EntityManager, invoice: Invoice): Promise<void> {
    const { id, createdAt: _createdAt, ...changes } = toRow(invoice);
    await em.getRepository(InvoiceEntity).update({ id }, changes);
  }

  async list(em: EntityManager, filter: InvoiceFilter): Promise<Invoice[]> {
    const query = em.getRepository(InvoiceEntity).createQueryBuilder('i');
    if (filter.customerId !== undefined) query.andWhere('i.customer_id = :customerId', filter);
    if (filter.status !== undefined) query.andWhere('i.status = :status', filter);
    const rows = await query
      .orderBy('i.due_date', 'ASC')
      .addOrderBy('i.id', 'ASC')
      .limit(filter.limit)
      .offset(filter.offset)
      .getMany();
    return rows.map(toInvoice);
  }

  /** Payments applied to each invoice, oldest first. */
  async paymentsOf(em: EntityManager, invoiceIds: readonly string[]): Promise<Map<string, AppliedPayment[]>> {
    const byInvoice = new Map<string, AppliedPayment[]>(invoiceIds.map((id) => [id, []]));
    if (invoiceIds.length === 0) return byInvoice;
    const rows = await em
      .getRepository(InvoicePaymentEntity)
      .createQueryBuilder('p')
      .where('p.invoice_id IN (:...ids)', { ids: [...invoiceIds] })
      .orderBy('p.applied_at', 'ASC')
      .addOrderBy('p.payment_id', 'ASC')
      .getMany();
    for (const row of rows) {
      byInvoice.get(row.invoiceId)?.push({
        paymentId: row.paymentId,
        applied: Money.fromMinor(BigInt(row.appliedMinor), row.currency),
        appliedAt: row.appliedAt,
      });
    }
    return byInvoice;
  }

  /**
   * Invoices this payment already touched (applied to or rejected), from an earlier delivery of
   * the same payment under another event id: those allocations are not applied twice.
   */
  async invoicesHandledForPayment(em: EntityManager, paymentId: string): Promise<Set<string>> {
    const rows: { invoice_id: string }[] = await em.query(
      `SELECT invoice_id::text AS invoice_id FROM invoice_payments WHERE payment_id = $1
       UNION SELECT invoice_id FROM allocation_rejections WHERE payment_id = $1`,
      [paymentId],
    );
    return new Set(rows.map((r) => r.invoice_id.toLowerCase()));
  }

  /** Adds to the payment's applied amount on the invoice (two allocations of one payment add up). */
  async recordPayment(
    em: EntityManager,
    paymentId: string,
    invoiceId: string,
    applied: Money,
    at: Date,
  ): Promise<void> {
    await em.query(
      `INSERT INTO invoice_payments (payment_id, invoice_id, currency, applied_minor, applied_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (payment_id, invoice_id)
       DO UPDATE SET applied_minor = invoice_payments.applied_minor + EXCLUDED.applied_minor`,
      [paymentId, invoiceId, applied.currency, applied.minor.toString(), at],
    );
  }

  async recordRejection(em: EntityManager, r: RejectionRecord): Promise<void> {
    await em.getRepository(AllocationRejectionEntity).insert({
      paymentId: r.paymentId,
      invoiceId: r.invoiceId,
      customerId: r.customerId,
      currency: r.requested.currency,
      requestedMinor: r.requested.minor.toString(),
      rejectedMinor: r.rejected.minor.toString(),
      reason: r.reason,
      detail: r.detail,
      rejectedAt: r.at,
    });
  }

  /**
   * Claims up to `limit` invoices whose overdue instant has passed and that can still turn
   * overdue. SKIP LOCKED: another instance's scan, or a payment being applied, keeps its rows
   * and this scan takes the next ones.
   */
  async claimPastDue(em: EntityManager, now: Date, limit: number): Promise<Invoice[]> {
    const rows = await em
      .getRepository(InvoiceEntity)
      .createQueryBuilder('i')
      .where('i.status IN (:...statuses)', { statuses: SCANNED_STATUSES })
      .andWhere('i.overdue_at <= :now', { now })
      .andWhere('i.open_minor > 0')
      .orderBy('i.overdue_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
    return rows.map(toInvoice);
  }

  /** The customer's invoices that are not void, locked in id order (for a time-zone change). */
  async lockLiveInvoicesOfCustomer(em: EntityManager, customerId: string): Promise<Invoice[]> {
    const rows = await em
      .getRepository(InvoiceEntity)
      .createQueryBuilder('i')
      .where('i.customer_id = :customerId', { customerId })
      .andWhere(`i.status <> 'void'`)
      .orderBy('i.id')
      .setLock('pessimistic_write')
      .getMany();
    return rows.map(toInvoice);
  }

  async retime(
    em: EntityManager,
    changes: readonly { id: string; timeZone: string; overdueAt: Date }[],
  ): Promise<void> {
    if (changes.length === 0) return;
    await em.query(
      `UPDATE invoices SET time_zone = v.time_zone, overdue_at = v.overdue_at, updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS v(id, time_zone, overdue_at)
       WHERE invoices.id = v.id`,
      [
        changes.map((c) => c.id),
        changes.map((c) => c.timeZone),
        changes.map((c) => c.overdueAt.toISOString()),
      ],
    );
  }
}
