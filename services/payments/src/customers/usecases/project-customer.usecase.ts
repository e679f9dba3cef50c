import { Injectable } from '@nestjs/common';
import { timestampDate } from '@bufbuild/protobuf/wkt';
import { compareEventPositions, type EventOf, type Topic } from '@duemap/events';
import { FatalEventError } from '@duemap/messaging';
import type { EntityManager } from 'typeorm';
import { CustomerViewRepository, type CustomerEventSnapshot } from '../customer-view.repository';

type CustomerUpserted = EventOf<typeof Topic.CustomerUpserted>;

/**
 * customers.customer-upserted.v1 -> the customer read model (the newest wins: by customer version,
 * else by occurred_at), for all of a transaction's events in one statement. Events of one customer
 * are folded first, in order: the one kept is the last of the newest, which is what applying them
 * one by one leaves (an event applies when it is not older than what is stored).
 */
@Injectable()
export class ProjectCustomerUseCase {
  constructor(private readonly customers: CustomerViewRepository) {}

  async execute(events: readonly CustomerUpserted[], em: EntityManager): Promise<void> {
    const newest = new Map<string, CustomerEventSnapshot>();
    for (const event of events) {
      if (!event.occurredAt) throw new FatalEventError('customer-upserted without occurred_at');
      const snapshot = {
        customerId: event.customerId,
        name: event.name,
        version: event.customerVersion,
        occurredAt: timestampDate(event.occurredAt),
      };
      const kept = newest.get(snapshot.customerId);
      if (kept === undefined || compareEventPositions(snapshot, kept) >= 0) {
        newest.set(snapshot.customerId, snapshot);
      }
    }
    await this.customers.upsertFromEvents(em, [...newest.values()]);
  }
}
