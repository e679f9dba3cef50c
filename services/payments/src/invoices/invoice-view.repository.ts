import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { InvoiceRecord } from './invoice-projection';
import { InvoiceViewEntity, type InvoiceKind, type InvoiceState } from './invoice-view.entity';

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

interface InvoiceViewRow {
  invoice_id: string;
  customer_id: string;
  number: string;
  kind: InvoiceKind;
  currency: string;
  total_minor: string;
  pre_settled_minor: string;
  reported_open_minor: string | null;
  issue_date: string | null;
  due_date: string | null;
  status: InvoiceState;
  last_occurred_at: Date | null;
}

@Injectable()
export class InvoiceViewRepository {
  /** The row, locked until the transaction ends, so two events of one invoice apply one after the other. */
  async findForUpdate(em: EntityManager, invoiceId: string): Promise<InvoiceRecord | null> {
    // Dates as text: node-postgres would turn a `date` into a JS Date at local midnight.
    const rows: InvoiceViewRow[] = await em.query(
      `SELECT invoice_id, customer_id, number, kind, currency, total_minor::text AS total_minor,
              pre_settled_minor::text AS pre_settled_minor, reported_open_minor::text AS reported_open_minor,
              to_char(issue_date, 'YYYY-MM-DD') AS issue_date, to_char(due_date, 'YYYY-MM-DD') AS due_date,
              status, last_occurred_at
         FROM invoice_view WHERE invoice_id = $1 FOR UPDATE`,
      [invoiceId],
    );
    const row = rows[0];
    return row === undefined
      ? null
      : {
          invoiceId: row.invoice_id,
          customerId: row.customer_id,
          number: row.number,
          kind: row.kind,
          currency: row.currency,
          totalMinor: BigInt(row.total_minor),
          preSettledMinor: BigInt(row.pre_settled_minor),
          reportedOpenMinor: row.reported_open_minor === null ? null : BigInt(row.reported_open_minor),
          issueDate: row.issue_date,
          dueDate: row.due_date,
          status: row.status,
          lastOccurredAt: row.last_occurred_at,
        };
  }

  async findIds(em: EntityManager, invoiceIds: readonly string[]): Promise<Set<string>> {
    if (invoiceIds.length === 0) return new Set();
    const rows: { invoice_id: string }[] = await em.query(
      'SELECT invoice_id FROM invoice_view WHERE invoice_id = ANY($1::text[])',
      [invoiceIds],
    );
    return new Set(rows.map((r) => r.invoice_id));
  }

  /** One INSERT … ON CONFLICT for all the records (save() would first SELECT each row). */
  async save(em: EntityManager, records: readonly InvoiceRecord[]): Promise<void> {
    if (records.length === 0) return;
    await em.getRepository(InvoiceViewEntity).upsert(records.map(toRow), ['invoiceId']);
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
