import { Injectable } from '@nestjs/common';
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

  /** A malformed id names no invoice: 404, like any other unknown id. */
  async execute(id: string): Promise<InvoiceView> {
    const em = this.dataSource.manager;
    const invoice = await this.invoices.findById(em, id);
    if (invoice === null) {
      throw new InvoicingException(InvoicingErrorCode.InvoiceNotFound, `no invoice ${id}`);
    }
    const payments = await this.invoices.paymentsOf(em, [invoice.id]);
    return toInvoiceView(invoice, payments.get(invoice.id) ?? []);
  }
}
