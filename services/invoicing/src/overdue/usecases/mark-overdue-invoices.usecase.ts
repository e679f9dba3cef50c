import { Injectable } from '@nestjs/common';
import { InvoiceField } from '@duemap/events';
import { OutboxWriter } from '@duemap/messaging';
import { DataSource } from 'typeorm';
import { Clock } from '../../common/clock';
import { isPastDue } from '../../invoices/due-date';
import { changedEvents } from '../../invoices/invoice.events';
import type { Invoice } from '../../invoices/invoice.model';
import { InvoiceRepository } from '../../invoices/invoice.repository';
import { statusOf } from '../../invoices/invoice-status';

/**
 * One batch of the scheduled overdue transition, in one transaction: claims open and partially
 * paid invoices whose overdue instant (first instant of the day after the due date in the
 * customer's time zone) has passed, marks them overdue and emits invoice-changed +
 * invoice-overdue for each. Rows are claimed FOR UPDATE SKIP LOCKED, so several instances
 * share the work without marking one invoice twice. Each mark is the invoice's next version, and
 * its time is read once the rows are claimed: a change committed while the claim waited is older
 * than the mark, by version and by clock. Returns how many it marked.
 */
@Injectable()
export class MarkOverdueInvoicesUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly invoices: InvoiceRepository,
    private readonly outbox: OutboxWriter,
    private readonly clock: Clock,
  ) {}

  async execute(batchSize: number): Promise<number> {
    return this.dataSource.transaction(async (em) => {
      const claimed = await this.invoices.claimPastDue(em, this.clock.now(), batchSize);
      const now = this.clock.now();
      let marked = 0;
      for (const invoice of claimed) {
        const status = statusOf({
          voided: false,
          total: invoice.total.minor,
          open: invoice.open.minor,
          // The row's overdue_at said so; asking the rule again keeps one definition of "past due".
          pastDue: isPastDue(invoice.dueDate, now, invoice.timeZone),
        });
        if (status !== 'overdue') continue;
        const after: Invoice = { ...invoice, status, updatedAt: now, version: invoice.version + 1n };
        await this.invoices.update(em, after);
        await this.outbox.appendAll(em, changedEvents(invoice, after, [InvoiceField.STATUS], [], now));
        marked++;
      }
      return marked;
    });
  }
}
