import { timestampDate } from '@bufbuild/protobuf/wkt';
import { Injectable } from '@nestjs/common';
import { compareEventPositions, type EventOf, type Topic } from '@duemap/events';
import type { EntityManager } from 'typeorm';
import { CustomerContactsEntity, type ContactJson } from './customer-contacts.entity';

const MAX_CONTACTS = 20;

/** The contacts of an event, trimmed; those with neither an email nor a phone left out. */
export function contactsOf(event: EventOf<typeof Topic.CustomerUpserted>): ContactJson[] {
  return event.contacts
    .map((c) => ({
      name: c.name.trim(),
      email: c.email.trim(),
      phone: c.phone.trim(),
      role: c.role.trim(),
      locale: c.locale.trim(),
    }))
    .filter((c) => c.email !== '' || c.phone !== '')
    .slice(0, MAX_CONTACTS);
}

/**
 * customer-upserted -> customer_contacts: the addresses and numbers the email and SMS channels send
 * to. A snapshot per customer; an event not newer than the one applied (by customer version, else
 * occurred_at) changes nothing.
 */
@Injectable()
export class ProjectCustomerContactsUseCase {
  async execute(event: EventOf<typeof Topic.CustomerUpserted>, em: EntityManager): Promise<void> {
    const occurredAt = event.occurredAt ? timestampDate(event.occurredAt) : new Date(0);
    const repo = em.getRepository(CustomerContactsEntity);
    const next = {
      customerId: event.customerId,
      contacts: contactsOf(event),
      version: event.customerVersion.toString(),
      occurredAt,
    };
    const inserted = await repo
      .createQueryBuilder()
      .insert()
      .values(next)
      .orIgnore()
      .returning('customer_id')
      .execute();
    if ((inserted.raw as unknown[]).length > 0) return;
    const current = await repo.findOne({
      where: { customerId: event.customerId },
      lock: { mode: 'pessimistic_write' },
    });
    if (current === null) throw new Error(`contacts of ${event.customerId} vanished while being updated`);
    const held = { version: BigInt(current.version), occurredAt: current.occurredAt };
    if (compareEventPositions({ version: event.customerVersion, occurredAt }, held) <= 0) return;
    await repo.update({ customerId: event.customerId }, { ...next, updatedAt: new Date() });
  }
}
