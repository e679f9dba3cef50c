import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { InvoiceRecord } from './invoice-projection';
import { InvoiceViewEntity } from './invoice-view.entity';

function toRecord(row: InvoiceViewEntity): InvoiceRecord {
  return {
    invoiceId: row.invoiceId,
    customerId: row.customerId,
    number: row.number,
    kind: row.kind,
    currency: row.currency,
    totalMinor: BigInt(row.totalMinor),
    preSettledMinor: BigInt(row.preSettledMinor),
    reportedOpenMinor: row.reportedOpenMinor === null ? null : BigInt(row.reportedOpenMinor),
    issueDate: row.issueDate,
    dueDate: row.dueDate,
    status: row.status,
    lastOccurredAt: row.lastOccurredAt,
  };
}

function toRow(record: InvoiceRecord): InvoiceViewEntity {
  const row = new InvoiceViewEntity();
  row.invoiceId = record.invoiceId;
  row.customerId = record.customerId;
  row.number = record.number;
  row.kind = record.kind;
  row.currency = record.currency;
  row.totalMinor = record.totalMinor.toString();
  row.preSettledMinor = record.preSettledMinor.toString();
  row.reportedOpenMinor = record.reportedOpenMinor === null ? null : record.reportedOpenMinor.toString();
  row.issueDate = record.issueDate;
  row.dueDate = record.dueDate;
  row.status = record.status;
  row.lastOccurredAt = record.lastOccurredAt;
  row.updatedAt = new Date();
  return row;
}

@Injectable()
export class InvoiceViewRepository {
  /** The row, locked until the transaction ends, so two events of one invoice apply one after the other. */
  async findForUpdate(em: EntityManager, invoiceId: string): Promise<InvoiceRecord | null> {
    const row = await em.getRepository(InvoiceViewEntity).findOne({
      where: { invoiceId },
      lock: { mode: 'pessimistic_write' },
    });
    return row ? toRecord(row) : null;
  }

  async findIds(em: EntityManager, invoiceIds: readonly string[]): Promise<Set<string>> {
    if (invoiceIds.length === 0) return new Set();
    const rows: { invoice_id: string }[] = await em.query(
      'SELECT invoice_id FROM invoice_view WHERE invoice_id = ANY($1::text[])',
      [invoiceIds],
    );
    return new Set(rows.map((r) => r.invoice_id));
  }

  /** One INSERT … ON CONFLICT (save() would first SELECT the row it has just locked and read). */
  async save(em: EntityManager, record: InvoiceRecord): Promise<void> {
    await em.getRepository(InvoiceViewEntity).upsert(toRow(record), ['invoiceId']);
  }

  /** Stores an invoice fetched over HTTP unless an event got there first (events are newer truth). */
  async insertFetched(em: EntityManager, record: InvoiceRecord): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(InvoiceViewEntity)
      .values(toRow({ ...record, lastOccurredAt: null }))
      .orIgnore()
      .execute();
  }
}
