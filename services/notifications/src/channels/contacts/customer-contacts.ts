import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CustomerContactsEntity, type ContactJson } from './customer-contacts.entity';

/** Where a customer's reminders go: the contacts the read model holds. */
export interface ContactDirectory {
  contactsOf(customerId: string): Promise<readonly ContactJson[]>;
}

@Injectable()
export class CustomerContacts implements ContactDirectory {
  constructor(@Inject(getDataSourceToken()) private readonly dataSource: DataSource) {}

  async contactsOf(customerId: string): Promise<readonly ContactJson[]> {
    const row = await this.dataSource.getRepository(CustomerContactsEntity).findOneBy({ customerId });
    return row?.contacts ?? [];
  }
}
