import { Injectable } from '@nestjs/common';
import type { Territory } from '@duemap/auth';
import { DataSource } from 'typeorm';
import { InvoiceRepository } from '../invoice.repository';
import type { InvoiceStatus } from '../invoice-status';
import { toInvoiceView, type InvoiceView } from '../invoice.view';

export interface ListInvoicesInput {
  customerId?: string;
  status?: InvoiceStatus;
  /** The caller's territory (territoryOf); undefined = every customer. */
  territory?: Territory;
  limit: number;
  offset: number;
}

export interface InvoicePage {
  items: InvoiceView[];
  /** Offset of the next page; null on the last one. */
  nextOffset: number | null;
}

/** Invoices by customer and/or status, by due date (oldest first). */
@Injectable()
export class ListInvoicesUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: InvoiceRepository,
  ) {}

  async execute(input: ListInvoicesInput): Promise<InvoicePage> {
    const em = this.dataSource.manager;
    // One row more than asked tells whether another page exists without a count(*).
    const found = await this.invoices.list(em, {
      customerId: input.customerId?.toLowerCase(),
      status: input.status,
      territory: input.territory,
      limit: input.limit + 1,
      offset: input.offset,
    });
    const page = found.slice(0, input.limit);
    const payments = await this.invoices.paymentsOf(
      em,
      page.map((i) => i.id),
    );
    return {
      items: page.map((invoice) => toInvoiceView(invoice, payments.get(invoice.id) ?? [])),
      nextOffset: found.length > input.limit ? input.offset + input.limit : null,
    };
  }
}
