import { Injectable } from '@nestjs/common';
import { customerInTerritory, type Territory } from '@duemap/auth';
import { OutboxWriter } from '@duemap/messaging';
import { Money } from '@duemap/money';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { InvoicingErrorCode, InvoicingException } from '../../common/invoicing.exception';
import { voidedEvents } from '../invoice.events';
import type { Invoice } from '../invoice.model';
import { InvoiceRepository } from '../invoice.repository';
import { toInvoiceView, type InvoiceView } from '../invoice.view';

export interface VoidInvoiceInput {
  id: string;
  reason?: string;
  /** The caller's territory: an invoice of a customer outside it is not found. */
  territory?: Territory;
}

/**
 * POST /api/v1/invoices/{id}/void. Void is terminal and owes nothing (open 0). Refused with 409
 * when the invoice is void already (INVOICE_VOIDED) or has payments applied (INVOICE_HAS_PAYMENTS):
 * invoice-voided does not move applied cash, so voiding a paid-into invoice would make that cash
 * vanish from both the invoice and the customer's credit; reverse the payments first.
 */
@Injectable()
export class VoidInvoiceUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: InvoiceRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(input: VoidInvoiceInput): Promise<InvoiceView> {
    return this.dataSource.transaction(async (em) => {
      const invoice = await this.invoices.findById(em, input.id, { lock: true });
      if (invoice === null || !(await customerInTerritory(em, input.territory, invoice.customerId))) {
        throw new InvoicingException(InvoicingErrorCode.InvoiceNotFound, `no invoice ${input.id}`);
      }
      if (invoice.status === 'void') {
        throw new InvoicingException(
          InvoicingErrorCode.InvoiceVoided,
          `invoice ${invoice.id} is void already`,
        );
      }
      if (!invoice.paid.isZero()) {
        throw new InvoicingException(
          InvoicingErrorCode.InvoiceHasPayments,
          `invoice ${invoice.id} has ${invoice.paid.toString()} of payments applied; reverse them before voiding`,
        );
      }
      const now = this.clock.now();
      const voided: Invoice = {
        ...invoice,
        status: 'void',
        open: Money.zero(invoice.total.currency),
        voidReason: input.reason ?? null,
        voidedAt: now,
        updatedAt: now,
        version: invoice.version + 1n,
      };
      await this.invoices.update(em, voided);
      await this.outbox.appendAll(em, voidedEvents(invoice, voided, input.reason ?? '', now));
      return toInvoiceView(voided, []);
    });
  }
}
