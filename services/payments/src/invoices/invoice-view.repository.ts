import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { invoiceNumberIndexKeys } from '../cash-application/invoice-numbers';
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
  row.lastVersion = record.lastVersion.toString();
  row.lastOccurredAt = record.lastOccurredAt;
  row.numberKeys = invoiceNumberIndexKeys(record.number);
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
  last_version: string;
  last_occurred_at: Date | null;
}

function fromRow(row: InvoiceViewRow): InvoiceRecord {
  return {
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
    lastVersion: BigInt(row.last_version),
    lastOccurredAt: row.last_occurred_at,
  };
}

@Injectable()
export class InvoiceViewRepository {
  /**
   * The rows that exist of these invoices, locked until the transaction ends so that events of one
   * invoice apply one after the other; locked in id order, so two transactions cannot deadlock.
   */
  async findManyForUpdate(em: EntityManager, invoiceIds: readonly string[]): Promise<InvoiceRecord[]> {
    if (invoiceIds.length === 0) return [];
    // Dates as text: node-postgres would turn a `date` into a JS Date at local midnight.
    const rows: InvoiceViewRow[] = await em.query(
      `SELECT invoice_id, customer_id, number, kind, currency, total_minor::text AS total_minor,
              pre_settled_minor::text AS pre_settled_minor, reported_open_minor::text AS reported_open_minor,
              to_char(issue_date, 'YYYY-MM-DD') AS issue_date, to_char(due_date, 'YYYY-MM-DD') AS due_date,
              status, last_version::text AS last_version, last_occurred_at
         FROM invoice_view WHERE invoice_id = ANY($1::text[])
        ORDER BY invoice_id FOR UPDATE`,
      [invoiceIds],
    );
    return rows.map(fromRow);
  }

  async findIds(em: EntityManager, invoiceIds: readonly string[]): Promise<Set<string>> {
    if (invoiceIds.length === 0) return new Set();
    const rows: { invoice_id: string }[] = await em.query(
      'SELECT invoice_id FROM invoice_view WHERE invoice_id = ANY($1::text[])',
      [invoiceIds],
    );
    return new Set(rows.map((r) => r.invoice_id));
  }

  /**
   * One INSERT … ON CONFLICT for all the records, in id order (new rows are locked as they are
   * inserted, so two transactions must meet them in the same order). The rows go in as one JSON
   * parameter, so the statement text is the same whatever their number and stays prepared.
   */
  async save(em: EntityManager, records: readonly InvoiceRecord[]): Promise<void> {
    if (records.length === 0) return;
    const rows = [...records]
      .sort((a, b) => (a.invoiceId < b.invoiceId ? -1 : a.invoiceId > b.invoiceId ? 1 : 0))
      .map((r) => ({
        invoice_id: r.invoiceId,
        customer_id: r.customerId,
        number: r.number,
        kind: r.kind,
        currency: r.currency,
        total_minor: r.totalMinor.toString(),
        pre_settled_minor: r.preSettledMinor.toString(),
        reported_open_minor: r.reportedOpenMinor === null ? null : r.reportedOpenMinor.toString(),
        issue_date: r.issueDate,
        due_date: r.dueDate,
        status: r.status,
        last_version: r.lastVersion.toString(),
        last_occurred_at: r.lastOccurredAt === null ? null : r.lastOccurredAt.toISOString(),
        number_keys: invoiceNumberIndexKeys(r.number),
      }));
    await em.query(
      `INSERT INTO invoice_view (invoice_id, customer_id, number, kind, currency, total_minor, pre_settled_minor,
                                 reported_open_minor, issue_date, due_date, status, last_version, last_occurred_at,
                                 number_keys, updated_at)
       SELECT r.*, now()
         FROM jsonb_to_recordset($1::jsonb) AS r(invoice_id text, customer_id text, number text, kind text,
              currency text, total_minor bigint, pre_settled_minor bigint, reported_open_minor bigint,
              issue_date date, due_date date, status text, last_version bigint, last_occurred_at timestamptz,
              number_keys text[])
       ON CONFLICT (invoice_id) DO UPDATE SET
         customer_id = EXCLUDED.customer_id, number = EXCLUDED.number, kind = EXCLUDED.kind,
         currency = EXCLUDED.currency, total_minor = EXCLUDED.total_minor,
         pre_settled_minor = EXCLUDED.pre_settled_minor, reported_open_minor = EXCLUDED.reported_open_minor,
         issue_date = EXCLUDED.issue_date, due_date = EXCLUDED.due_date, status = EXCLUDED.status,
         last_version = EXCLUDED.last_version, last_occurred_at = EXCLUDED.last_occurred_at,
         number_keys = EXCLUDED.number_keys, updated_at = EXCLUDED.updated_at`,
      [JSON.stringify(rows)],
    );
  }

  /** Stores an invoice fetched over HTTP unless an event got there first (events are newer truth). */
  async insertFetched(em: EntityManager, record: InvoiceRecord): Promise<void> {
    await em
      .createQueryBuilder()
      .insert()
      .into(InvoiceViewEntity)
      .values(toRow({ ...record, lastVersion: 0n, lastOccurredAt: null }))
      .orIgnore()
      .execute();
  }
}
