import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { applyInvoiceUpdate, type InvoiceUpdate } from '../invoice-projection';
import { InvoiceViewRepository } from '../invoice-view.repository';

/**
 * invoicing.invoice-{issued,changed,paid,overdue,voided}.v1 -> the invoice read model. The row is
 * locked while the event is applied; applyInvoiceUpdate decides what an out-of-order event may change.
 */
@Injectable()
export class ProjectInvoiceUseCase {
  constructor(private readonly invoices: InvoiceViewRepository) {}

  async execute(update: InvoiceUpdate, em: EntityManager): Promise<void> {
    const current = await this.invoices.findForUpdate(em, update.invoiceId);
    await this.invoices.save(em, applyInvoiceUpdate(current, update));
  }
}
