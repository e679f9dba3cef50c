import { Injectable } from '@nestjs/common';
import { ScopeKey, type TransactionScope } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import { applyInvoiceUpdate, type InvoiceRecord, type InvoiceUpdate } from '../invoice-projection';
import { InvoiceViewRepository } from '../invoice-view.repository';

const PENDING = new ScopeKey<InvoiceUpdate[]>('payments:invoice-view');

/**
 * invoicing.invoice-{issued,changed,paid,overdue,voided}.v1 -> the invoice read model. The updates
 * of every invoice topic in a consumer transaction are collected in the order they are handed
 * over and applied at its end: one statement reads (and locks) all the invoices they name, each
 * invoice's updates are folded in order (applyInvoiceUpdate decides what an out-of-order event
 * may change), and one statement writes the changed rows. Nothing else in the transaction reads
 * the read model, so applying at the end is the same as applying as they come.
 */
@Injectable()
export class ProjectInvoiceUseCase {
  constructor(private readonly invoices: InvoiceViewRepository) {}

  execute(updates: readonly InvoiceUpdate[], em: EntityManager, scope: TransactionScope): void {
    const pending = scope.local(PENDING, () => [] as InvoiceUpdate[]);
    pending.push(...updates);
    scope.defer(PENDING, () => this.apply(em, pending.splice(0)));
  }

  private async apply(em: EntityManager, updates: readonly InvoiceUpdate[]): Promise<void> {
    const ids = [...new Set(updates.map((u) => u.invoiceId))];
    const rows = new Map<string, InvoiceRecord>(
      (await this.invoices.findManyForUpdate(em, ids)).map((r) => [r.invoiceId, r]),
    );
    for (const update of updates) {
      rows.set(update.invoiceId, applyInvoiceUpdate(rows.get(update.invoiceId) ?? null, update));
    }
    await this.invoices.save(em, [...rows.values()]);
  }
}
