import { Injectable } from '@nestjs/common';
import type { TransactionScope } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import { applyInvoiceUpdate, type InvoiceRecord, type InvoiceUpdate } from '../invoice-projection';
import { InvoiceViewRepository } from '../invoice-view.repository';

const PENDING = 'payments:invoice-view';

/**
 * invoicing.invoice-{issued,changed,paid,overdue,voided}.v1 -> the invoice read model. The row is
 * read and locked once per consumer transaction; every event of the transaction for that invoice
 * is applied to it in order (applyInvoiceUpdate decides what an out-of-order event may change) and
 * all changed rows are written with one statement at the end.
 */
@Injectable()
export class ProjectInvoiceUseCase {
  constructor(private readonly invoices: InvoiceViewRepository) {}

  async execute(update: InvoiceUpdate, em: EntityManager, scope: TransactionScope): Promise<void> {
    const pending = scope.local(PENDING, () => new Map<string, InvoiceRecord>());
    const current =
      pending.get(update.invoiceId) ?? (await this.invoices.findForUpdate(em, update.invoiceId));
    pending.set(update.invoiceId, applyInvoiceUpdate(current, update));
    scope.defer(PENDING, async () => {
      await this.invoices.save(em, [...pending.values()]);
      pending.clear();
    });
  }
}
