import { Injectable, Logger } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { isNotOlder, type EventOf, type Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import { overdueStartsAt } from '../../invoices/due-date';
import { InvoiceRepository } from '../../invoices/invoice.repository';
import { isUuid } from '../../invoices/invoice.model';
import { usableTimeZone } from '../customer-directory';
import { CustomerRepository } from '../customer.repository';

type CustomerUpserted = EventOf<typeof Topic.CustomerUpserted>;

/**
 * Keeps the customer read model (id, sources, time zone) from customers.customer-upserted.v1.
 * Older events than the last one applied (by customer version, else by occurred_at) are ignored
 * (snapshots: the newest wins). A new time zone moves the overdue instant of the customer's
 * invoices; the scan does the rest.
 */
@Injectable()
export class ProjectCustomerUseCase {
  private readonly logger = new Logger(ProjectCustomerUseCase.name);

  constructor(
    private readonly customers: CustomerRepository,
    private readonly invoices: InvoiceRepository,
  ) {}

  async execute(event: CustomerUpserted, em: EntityManager): Promise<void> {
    if (!isUuid(event.customerId)) {
      throw new FatalEventError(`customer_id "${event.customerId}" is not a UUID`, 'INVALID_CUSTOMER_ID');
    }
    if (event.occurredAt === undefined) throw new FatalEventError('occurred_at is not set');
    const id = event.customerId.toLowerCase();
    const occurredAt = timestampDate(event.occurredAt);
    const version = event.customerVersion;
    const existing = await this.customers.findById(em, id, { lock: true });
    const held =
      existing?.lastEventAt == null
        ? null
        : { version: existing.lastEventVersion, occurredAt: existing.lastEventAt };
    if (!isNotOlder({ version, occurredAt }, held)) return;

    const timeZone = usableTimeZone(event.timeZone, this.logger);
    await this.customers.save(em, { id, timeZone, lastEventAt: occurredAt, lastEventVersion: version });
    await this.customers.saveSources(
      em,
      id,
      event.sources.map((s) => ({ sourceSystem: s.sourceSystem, externalId: s.externalId })),
      true,
    );
    if (existing !== null && existing.timeZone !== timeZone) {
      const invoices = await this.invoices.lockLiveInvoicesOfCustomer(em, id);
      await this.invoices.retime(
        em,
        invoices.map((invoice) => ({
          id: invoice.id,
          timeZone,
          overdueAt: overdueStartsAt(invoice.dueDate, timeZone),
        })),
      );
    }
  }
}
