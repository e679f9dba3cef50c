import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { EventOf, Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import { CustomerViewRepository } from '../customer-view.repository';

type CustomerUpserted = EventOf<typeof Topic.CustomerUpserted>;

/** customers.customer-upserted.v1 -> the customer read model (newest occurred_at wins). */
@Injectable()
export class ProjectCustomerUseCase {
  constructor(private readonly customers: CustomerViewRepository) {}

  async execute(event: CustomerUpserted, em: EntityManager): Promise<void> {
    if (!event.occurredAt) throw new FatalEventError('customer-upserted without occurred_at');
    await this.customers.upsertFromEvent(
      em,
      { customerId: event.customerId, name: event.name },
      timestampDate(event.occurredAt),
    );
  }
}
