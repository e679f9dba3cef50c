import { Injectable } from '@nestjs/common';
import { customerTerritoryFilter, namedBinder, type Territory } from '@duemap/auth';
import { Money } from '@duemap/money';
import type { EntityManager } from 'typeorm';
import { InvoiceEntity, InvoicePaymentEntity } from './invoice.entity';
import { isUuid, toInvoice, toRow, type AppliedPayment, type Invoice, type SourceRef } from './invoice.model';
import { SCANNED_STATUSES, type InvoiceStatus } from './invoice-status';

export interface InvoiceFilter {
  customerId?: string;
  status?: InvoiceStatus;
  /** Only invoices of customers inside it (customer_placements); undefined = every customer. */
  territory?: Territory;
  limit: number;
  offset: number;
}

/** The part of an allocation refused, and why (the audit row behind allocation-rejected). */
export interface RejectionRecord {
  /** As the allocation named it: may be no invoice at all. */
  invoiceId: string;
  customerId: string;
  requested: Money;
  rejected: Money;
  reason: string;
  detail: string;
}

/** Everything one payment-received changes (recordPaymentApplications writes a batch of them). */
export interface PaymentApplication {
  paymentId: string;
  at: Date;
  /** Cash applied, one entry per invoice (allocations of one invoice summed). */
  applied: readonly { invoiceId: string; amount: Money }[];
  /** The invoices the cash went to, as they are now (only paid, open, status, updatedAt and version moved). */
  invoices: readonly Invoice[];
  rejections: readonly RejectionRecord[];
}

/** What a batch of payments found, read and locked in one statement. */
export interface PaymentBatchTargets {
  /** Per payment id: the invoice ids (lower case) it was applied to or rejected for before. */
  handled: Map<string, Set<string>>;
  /** Every invoice the payments name that exists, locked. */
  invoices: Map<string, Invoice>;
  /** Per locked invoice: the payments in effect on it so far, oldest first (for invoice-paid). */
  paymentIds: Map<string, string[]>;
  /** The batch's payments that were reversed already (payment-reversed came first): nothing to apply. */
  reversed: Set<string>;
}

/** An application of a payment to an invoice, as a reversal finds it. */
export interface StoredApplication {
  paymentId: string;
  invoiceId: string;
  applied: Money;
  /** Set once a reversal of the payment reopened it. */
  reversedAt: Date | null;
}

/** What a batch of reversals found: the invoices locked, and what their payments applied there. */
export interface ReversalBatchTargets {
  /** Every invoice the reversals name that exists, locked. */
  invoices: Map<string, Invoice>;
  /** Per `applicationKey(paymentId, invoiceId)`: what that payment applied to that invoice. */
  applications: Map<string, StoredApplication>;
}

/** Key of `ReversalBatchTargets.applications` (invoice ids in lower case). */
export function applicationKey(paymentId: string, invoiceId: string): string {
  return `${paymentId}\u0000${invoiceId.toLowerCase()}`;
}

/** Everything one payment-reversed changes (recordPaymentReversals writes a batch of them). */
export interface PaymentReversalRecord {
  paymentId: string;
  customerId: string;
  amount: Money;
  reason: string;
  detail: string;
  /** The event's occurred_at. */
  occurredAt: Date;
  at: Date;
  /** Per application of the payment reversed now: what went back to the invoice (may be zero). */
  reopened: readonly { invoiceId: string; amount: Money }[];
  /** The invoices that got cash back, as they are now (only paid, open, status, updatedAt and version moved). */
  invoices: readonly Invoice[];
}

// The invoices columns as InvoiceEntity fields, typed the way TypeORM hydrates them (calendar
// dates as 'YYYY-MM-DD', bigints as strings), so toInvoice reads raw rows and entities alike.
const INVOICE_FIELDS = `
  i.id, i.customer_id AS "customerId", i.source_system AS "sourceSystem",
  i.external_id AS "externalId", i.customer_source_system AS "customerSourceSystem",
  i.customer_external_id AS "customerExternalId", i.number,
  to_char(i.issue_date, 'YYYY-MM-DD') AS "issueDate", to_char(i.due_date, 'YYYY-MM-DD') AS "dueDate",
  i.currency, i.total_minor::text AS "totalMinor", i.paid_minor::text AS "paidMinor",
  i.open_minor::text AS "openMinor", i.status, i.time_zone AS "timeZone", i.overdue_at AS "overdueAt",
  i.lines, i.void_reason AS "voidReason", i.voided_at AS "voidedAt", i.created_at AS "createdAt",
  i.updated_at AS "updatedAt", i.version::text AS version, i.source_version::text AS "sourceVersion"`;

// An invoice (with its payment ids), a (payment, invoice) pair the payment handled before, or a
// payment reversed already.
type TargetRow =
  | ({
      handledPayment: null;
      handledInvoice: null;
      reversedPayment: null;
      paymentIds: string[];
    } & InvoiceEntity)
  | { handledPayment: string; handledInvoice: string; reversedPayment: null; id: null }
  | { handledPayment: null; handledInvoice: null; reversedPayment: string; id: null };

/** Rows per multi-row INSERT: 23 arrays of this many elements stay far below pg's limits. */
const INSERT_CHUNK = 2000;

/** A source record as a map key. */
export function sourceKey(source: SourceRef): string {
  return `${source.sourceSystem}\u0000${source.externalId}`;
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
   * For a batch of payments, in one round trip: the invoices each already touched (applied to or
   * rejected for, from an earlier event of the same payment under another event id), the ones
   * reversed already, and every invoice they name, locked FOR UPDATE in id order (two transactions
   * cannot deadlock on them), with the payments in effect on it so far (reversed ones left out).
   */
  async lockForPayments(
    em: EntityManager,
    payments: readonly { paymentId: string; invoiceIds: readonly string[] }[],
  ): Promise<PaymentBatchTargets> {
    const paymentIds = [...new Set(payments.map((p) => p.paymentId))];
    const wanted = [
      ...new Set(payments.flatMap((p) => p.invoiceIds.filter(isUuid).map((id) => id.toLowerCase()))),
    ].sort();
    const rows = await em.query<TargetRow[]>(
      `WITH handled AS MATERIALIZED (
         SELECT payment_id, invoice_id::text AS invoice_id FROM invoice_payments WHERE payment_id = ANY($1::text[])
         UNION SELECT payment_id, invoice_id FROM allocation_rejections WHERE payment_id = ANY($1::text[])
       ), reversed AS MATERIALIZED (
         SELECT payment_id FROM payment_reversals WHERE payment_id = ANY($1::text[])
       ), locked AS MATERIALIZED (
         SELECT ${INVOICE_FIELDS},
                ARRAY(SELECT p.payment_id FROM invoice_payments p
                      WHERE p.invoice_id = i.id AND p.reversed_at IS NULL
                      ORDER BY p.applied_at, p.payment_id) AS "paymentIds"
         FROM invoices i
         WHERE i.id = ANY($2::uuid[])
         ORDER BY i.id
         FOR UPDATE
       )
       SELECT NULL::text AS "handledPayment", NULL::text AS "handledInvoice",
              NULL::text AS "reversedPayment", l.* FROM locked l
       UNION ALL
       SELECT h.payment_id, h.invoice_id, NULL, l.* FROM handled h LEFT JOIN locked l ON false
       UNION ALL
       SELECT NULL, NULL, r.payment_id, l.* FROM reversed r LEFT JOIN locked l ON false`,
      [paymentIds, wanted],
    );
    const targets: PaymentBatchTargets = {
      handled: new Map(),
      invoices: new Map(),
      paymentIds: new Map(),
      reversed: new Set(),
    };
    for (const row of rows) {
      if (row.reversedPayment !== null) {
        targets.reversed.add(row.reversedPayment);
      } else if (row.id === null) {
        const handled = targets.handled.get(row.handledPayment) ?? new Set<string>();
        handled.add(row.handledInvoice.toLowerCase());
        targets.handled.set(row.handledPayment, handled);
      } else {
        targets.invoices.set(row.id, toInvoice(row));
        targets.paymentIds.set(row.id, row.paymentIds);
      }
    }
    return targets;
  }

  /**
   * Inserts the invoice unless one with its source key exists; false when one did. A concurrent
   * insert of the same source makes this wait for that transaction, then insert nothing if it
   * committed: what keeps two first deliveries from both creating the invoice.
   */
  async insertIfAbsent(em: EntityManager, invoice: Invoice): Promise<boolean> {
    const r = toRow(invoice);
    const rows = await em.query<{ id: string }[]>(
      `INSERT INTO invoices (id, customer_id, source_system, external_id, customer_source_system,
         customer_external_id, number, issue_date, due_date, currency, total_minor, paid_minor,
         open_minor, status, time_zone, overdue_at, lines, void_reason, voided_at, created_at, updated_at,
         version, source_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18,
         $19, $20, $21, $22, $23)
       ON CONFLICT (source_system, external_id) DO NOTHING
       RETURNING id`,
      [
        r.id,
        r.customerId,
        r.sourceSystem,
        r.externalId,
        r.customerSourceSystem,
        r.customerExternalId,
        r.number,
        r.issueDate,
        r.dueDate,
        r.currency,
        r.totalMinor,
        r.paidMinor,
        r.openMinor,
        r.status,
        r.timeZone,
        r.overdueAt,
        JSON.stringify(r.lines),
        r.voidReason,
        r.voidedAt,
        r.createdAt,
        r.updatedAt,
        r.version,
        r.sourceVersion,
      ],
    );
    return rows.length > 0;
  }

  /**
   * The invoices of these source records, locked FOR UPDATE in key order (two batches touching the
   * same invoices cannot deadlock), in one statement; keyed by `sourceKey`.
   */
  async lockBySources(em: EntityManager, sources: readonly SourceRef[]): Promise<Map<string, Invoice>> {
    const found = new Map<string, Invoice>();
    if (sources.length === 0) return found;
    const rows = await em.query<InvoiceEntity[]>(
      `SELECT ${INVOICE_FIELDS}
       FROM invoices i
       JOIN unnest($1::text[], $2::text[]) AS k(source_system, external_id)
         ON i.source_system = k.source_system AND i.external_id = k.external_id
       ORDER BY i.source_system, i.external_id
       FOR UPDATE OF i`,
      [sources.map((s) => s.sourceSystem), sources.map((s) => s.externalId)],
    );
    for (const row of rows) {
      const invoice = toInvoice(row);
      found.set(sourceKey(invoice.source), invoice);
    }
    return found;
  }

  /**
   * Inserts new invoices, a statement per INSERT_CHUNK, skipping any whose source record exists
   * already (another transaction inserted it since lockBySources). Returns the source keys inserted.
   */
  async insertManyIfAbsent(em: EntityManager, invoices: readonly Invoice[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    for (let i = 0; i < invoices.length; i += INSERT_CHUNK) {
      const rows = invoices.slice(i, i + INSERT_CHUNK).map(toRow);
      const column = <K extends keyof InvoiceEntity>(key: K): InvoiceEntity[K][] => rows.map((r) => r[key]);
      const result = await em.query<{ source_system: string; external_id: string }[]>(
        `INSERT INTO invoices (id, customer_id, source_system, external_id, customer_source_system,
           customer_external_id, number, issue_date, due_date, currency, total_minor, paid_minor,
           open_minor, status, time_zone, overdue_at, lines, void_reason, voided_at, created_at, updated_at,
           version, source_version)
         SELECT id, customer_id, source_system, external_id, customer_source_system, customer_external_id,
           number, issue_date, due_date, currency, total_minor, paid_minor, open_minor, status, time_zone,
           overdue_at, lines::jsonb, void_reason, voided_at, created_at, updated_at, version, source_version
         FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
           $8::date[], $9::date[], $10::char(3)[], $11::bigint[], $12::bigint[], $13::bigint[], $14::text[],
           $15::text[], $16::timestamptz[], $17::text[], $18::text[], $19::timestamptz[], $20::timestamptz[],
           $21::timestamptz[], $22::bigint[], $23::bigint[])
           AS v(id, customer_id, source_system, external_id, customer_source_system, customer_external_id,
             number, issue_date, due_date, currency, total_minor, paid_minor, open_minor, status, time_zone,
             overdue_at, lines, void_reason, voided_at, created_at, updated_at, version, source_version)
         ON CONFLICT (source_system, external_id) DO NOTHING
         RETURNING source_system, external_id`,
        [
          column('id'),
          column('customerId'),
          column('sourceSystem'),
          column('externalId'),
          column('customerSourceSystem'),
          column('customerExternalId'),
          column('number'),
          column('issueDate'),
          column('dueDate'),
          column('currency'),
          column('totalMinor'),
          column('paidMinor'),
          column('openMinor'),
          column('status'),
          column('timeZone'),
          rows.map((r) => r.overdueAt.toISOString()),
          rows.map((r) => JSON.stringify(r.lines)),
          column('voidReason'),
          rows.map((r) => r.voidedAt?.toISOString() ?? null),
          rows.map((r) => r.createdAt.toISOString()),
          rows.map((r) => r.updatedAt.toISOString()),
          column('version'),
          column('sourceVersion'),
        ],
      );
      for (const row of result) {
        inserted.add(sourceKey({ sourceSystem: row.source_system, externalId: row.external_id }));
      }
    }
    return inserted;
  }

  async update(em: EntityManager, invoice: Invoice): Promise<void> {
    const { id, createdAt: _createdAt, sourceVersion, ...changes } = toRow(invoice);
    // An invoice built without its source version (undefined) leaves the stored one as it is.
    await em
      .getRepository(InvoiceEntity)
      .update({ id }, invoice.sourceVersion === undefined ? changes : { ...changes, sourceVersion });
  }

  async list(em: EntityManager, filter: InvoiceFilter): Promise<Invoice[]> {
    const query = em.getRepository(InvoiceEntity).createQueryBuilder('i');
    if (filter.customerId !== undefined) query.andWhere('i.customer_id = :customerId', filter);
    if (filter.status !== undefined) query.andWhere('i.status = :status', filter);
    const inside: Record<string, unknown> = {};
    query.andWhere(customerTerritoryFilter(filter.territory, 'i.customer_id', namedBinder(inside)), inside);
    const rows = await query
      .orderBy('i.due_date', 'ASC')
      .addOrderBy('i.id', 'ASC')
      .limit(filter.limit)
      .offset(filter.offset)
      .getMany();
    return rows.map(toInvoice);
  }

  /** Payments in effect on each invoice (reversed ones left out), oldest first. */
  async paymentsOf(em: EntityManager, invoiceIds: readonly string[]): Promise<Map<string, AppliedPayment[]>> {
    const byInvoice = new Map<string, AppliedPayment[]>(invoiceIds.map((id) => [id, []]));
    if (invoiceIds.length === 0) return byInvoice;
    const rows = await em
      .getRepository(InvoicePaymentEntity)
      .createQueryBuilder('p')
      .where('p.invoice_id IN (:...ids)', { ids: [...invoiceIds] })
      .andWhere('p.reversed_at IS NULL')
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
   * Writes what a batch of payments did in one statement: each payment's cash per invoice (added to
   * what it already applied there, should it have), the invoices' final amounts, status and version
   * (only those columns: the rows are locked, nothing else moved), and the rejections.
   */
  async recordPaymentApplications(em: EntityManager, batch: readonly PaymentApplication[]): Promise<void> {
    const applied = batch.flatMap((a) => a.applied.map((p) => ({ ...p, paymentId: a.paymentId, at: a.at })));
    const rejections = batch.flatMap((a) =>
      a.rejections.map((r) => ({ ...r, paymentId: a.paymentId, at: a.at })),
    );
    // The last state of each invoice wins: payments of the batch were folded in order.
    const invoices = new Map(batch.flatMap((a) => a.invoices.map((i) => [i.id, i] as const)));
    if (applied.length === 0 && rejections.length === 0 && invoices.size === 0) return;
    const final = [...invoices.values()];
    await em.query(
      `WITH applied AS (
         INSERT INTO invoice_payments (payment_id, invoice_id, currency, applied_minor, applied_at)
         SELECT v.payment_id, v.invoice_id, v.currency, v.applied_minor, v.applied_at
         FROM unnest($1::text[], $2::uuid[], $3::text[], $4::bigint[], $5::timestamptz[])
           AS v(payment_id, invoice_id, currency, applied_minor, applied_at)
         ON CONFLICT (payment_id, invoice_id)
         DO UPDATE SET applied_minor = invoice_payments.applied_minor + EXCLUDED.applied_minor
       ), updated AS (
         UPDATE invoices i
         SET paid_minor = v.paid_minor, open_minor = v.open_minor, status = v.status,
             updated_at = v.updated_at, version = v.version
         FROM unnest($6::uuid[], $7::bigint[], $8::bigint[], $9::text[], $10::timestamptz[], $20::bigint[])
           AS v(id, paid_minor, open_minor, status, updated_at, version)
         WHERE i.id = v.id
       )
       INSERT INTO allocation_rejections (payment_id, invoice_id, customer_id, currency,
         requested_minor, rejected_minor, reason, detail, rejected_at)
       SELECT r.payment_id, r.invoice_id, r.customer_id, r.currency, r.requested_minor, r.rejected_minor,
              r.reason, r.detail, r.rejected_at
       FROM unnest($11::text[], $12::text[], $13::text[], $14::text[], $15::bigint[], $16::bigint[],
                   $17::text[], $18::text[], $19::timestamptz[]) WITH ORDINALITY
         AS r(payment_id, invoice_id, customer_id, currency, requested_minor, rejected_minor, reason,
              detail, rejected_at, n)
       ORDER BY r.n`,
      [
        applied.map((p) => p.paymentId),
        applied.map((p) => p.invoiceId),
        applied.map((p) => p.amount.currency),
        applied.map((p) => p.amount.minor.toString()),
        applied.map((p) => p.at.toISOString()),
        final.map((i) => i.id),
        final.map((i) => i.paid.minor.toString()),
        final.map((i) => i.open.minor.toString()),
        final.map((i) => i.status),
        final.map((i) => i.updatedAt.toISOString()),
        rejections.map((r) => r.paymentId),
        rejections.map((r) => r.invoiceId),
        rejections.map((r) => r.customerId),
        rejections.map((r) => r.requested.currency),
        rejections.map((r) => r.requested.minor.toString()),
        rejections.map((r) => r.rejected.minor.toString()),
        rejections.map((r) => r.reason),
        rejections.map((r) => r.detail),
        rejections.map((r) => r.at.toISOString()),
        final.map((i) => i.version.toString()),
      ],
    );
  }

  /**
   * For a batch of reversals: every invoice they name, locked FOR UPDATE in id order, then what
   * each payment applied to each of those invoices. Two statements, the lock first: a statement
   * that waited for a lock still reads other tables as of its start, and the payment-received
   * that held the lock may just have recorded the very application this reversal undoes.
   */
  async lockForReversals(
    em: EntityManager,
    reversals: readonly { paymentId: string; invoiceIds: readonly string[] }[],
  ): Promise<ReversalBatchTargets> {
    const targets: ReversalBatchTargets = { invoices: new Map(), applications: new Map() };
    const wanted = [
      ...new Set(reversals.flatMap((r) => r.invoiceIds.filter(isUuid).map((id) => id.toLowerCase()))),
    ].sort();
    if (wanted.length === 0) return targets;
    const invoices = await em.query<InvoiceEntity[]>(
      `SELECT ${INVOICE_FIELDS} FROM invoices i WHERE i.id = ANY($1::uuid[]) ORDER BY i.id FOR UPDATE`,
      [wanted],
    );
    for (const row of invoices) targets.invoices.set(row.id, toInvoice(row));
    const applications = await em.query<
      {
        paymentId: string;
        invoiceId: string;
        currency: string;
        appliedMinor: string;
        reversedAt: Date | null;
      }[]
    >(
      `SELECT p.payment_id AS "paymentId", p.invoice_id::text AS "invoiceId", p.currency,
              p.applied_minor::text AS "appliedMinor", p.reversed_at AS "reversedAt"
       FROM invoice_payments p
       WHERE p.payment_id = ANY($1::text[]) AND p.invoice_id = ANY($2::uuid[])`,
      [[...new Set(reversals.map((r) => r.paymentId))], wanted],
    );
    for (const row of applications) {
      targets.applications.set(applicationKey(row.paymentId, row.invoiceId), {
        paymentId: row.paymentId,
        invoiceId: row.invoiceId,
        applied: Money.fromMinor(BigInt(row.appliedMinor), row.currency),
        reversedAt: row.reversedAt,
      });
    }
    return targets;
  }

  /**
   * Writes what a batch of reversals did in one statement: the reversed payments (kept, so a late
   * payment-received of one applies nothing), their applications marked reversed with what went
   * back, and the invoices' final amounts, status and version (the rows are locked).
   */
  async recordPaymentReversals(em: EntityManager, batch: readonly PaymentReversalRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const reopened = batch.flatMap((r) =>
      r.reopened.map((o) => ({ ...o, paymentId: r.paymentId, at: r.at })),
    );
    // The last state of each invoice wins: reversals of the batch were folded in order.
    const final = [...new Map(batch.flatMap((r) => r.invoices.map((i) => [i.id, i] as const))).values()];
    await em.query(
      `WITH reversal AS (
         INSERT INTO payment_reversals (payment_id, customer_id, currency, amount_minor, reason, detail,
           occurred_at, recorded_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[],
           $7::timestamptz[], $8::timestamptz[])
         ON CONFLICT (payment_id) DO NOTHING
       ), marked AS (
         UPDATE invoice_payments p SET reversed_minor = v.reversed_minor, reversed_at = v.reversed_at
         FROM unnest($9::text[], $10::uuid[], $11::bigint[], $12::timestamptz[])
           AS v(payment_id, invoice_id, reversed_minor, reversed_at)
         WHERE p.payment_id = v.payment_id AND p.invoice_id = v.invoice_id AND p.reversed_at IS NULL
       )
       UPDATE invoices i
       SET paid_minor = v.paid_minor, open_minor = v.open_minor, status = v.status,
           updated_at = v.updated_at, version = v.version
       FROM unnest($13::uuid[], $14::bigint[], $15::bigint[], $16::text[], $17::timestamptz[], $18::bigint[])
         AS v(id, paid_minor, open_minor, status, updated_at, version)
       WHERE i.id = v.id`,
      [
        batch.map((r) => r.paymentId),
        batch.map((r) => r.customerId),
        batch.map((r) => r.amount.currency),
        batch.map((r) => r.amount.minor.toString()),
        batch.map((r) => r.reason),
        batch.map((r) => r.detail),
        batch.map((r) => r.occurredAt.toISOString()),
        batch.map((r) => r.at.toISOString()),
        reopened.map((o) => o.paymentId),
        reopened.map((o) => o.invoiceId),
        reopened.map((o) => o.amount.minor.toString()),
        reopened.map((o) => o.at.toISOString()),
        final.map((i) => i.id),
        final.map((i) => i.paid.minor.toString()),
        final.map((i) => i.open.minor.toString()),
        final.map((i) => i.status),
        final.map((i) => i.updatedAt.toISOString()),
        final.map((i) => i.version.toString()),
      ],
    );
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
