import { Injectable } from '@nestjs/common';
import { customerInTerritory, type Territory } from '@duemap/auth';
import { DataSource } from 'typeorm';
import { InvoicingErrorCode, InvoicingException } from '../../common/invoicing.exception';
import { InvoiceRepository } from '../invoice.repository';
import { toInvoiceView, type InvoiceView } from '../invoice.view';

@Injectable()
export class GetInvoiceUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: InvoiceRepository,
  ) {}

  /**
   * A malformed id names no invoice: 404, like any other unknown id; so does an invoice of a
   * customer outside the caller's territory, so that its existence does not show.
   */
  async execute(id: string, territory?: Territory): Promise<InvoiceView> {
    const em = this.dataSource.manager;
    const invoice = await this.invoices.findById(em, id);
    if (invoice === null || !(await customerInTerritory(em, territory, invoice.customerId))) {
      throw new InvoicingException(InvoicingErrorCode.InvoiceNotFound, `no invoice ${id}`);
    }
    const payments = await this.invoices.paymentsOf(em, [invoice.id]);
    return toInvoiceView(invoice, payments.get(invoice.id) ?? []);
  }
}
