import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CustomerEntity, CustomerSourceEntity } from '../customer.entity';
import { CustomerRecords, type CustomerView } from '../customer-record';
import { CustomersException } from '../customers.exception';
import type { SourceRef } from './upsert-customer.usecase';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** One customer by its Duemap id or by one of its source records; 404 CUSTOMER_NOT_FOUND otherwise. */
@Injectable()
export class GetCustomerUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly records: CustomerRecords,
  ) {}

  async byId(id: string): Promise<CustomerView> {
    // A malformed id names no customer: 404 like any unknown id, rather than a database error.
    if (!isUuid(id)) throw CustomersException.notFound(id);
    const row = await this.dataSource.getRepository(CustomerEntity).findOneBy({ id: id.toLowerCase() });
    if (row === null) throw CustomersException.notFound(id);
    return this.view(row);
  }

  async bySource(ref: SourceRef): Promise<CustomerView> {
    const mapping = await this.dataSource.getRepository(CustomerSourceEntity).findOneBy(ref);
    const row =
      mapping === null
        ? null
        : await this.dataSource.getRepository(CustomerEntity).findOneBy({ id: mapping.customerId });
    if (row === null) throw CustomersException.notFound(`${ref.sourceSystem}/${ref.externalId}`);
    return this.view(row);
  }

  private async view(row: CustomerEntity): Promise<CustomerView> {
    const sources = await this.dataSource.getRepository(CustomerSourceEntity).findBy({ customerId: row.id });
    return this.records.toView(row, sources);
  }
}
