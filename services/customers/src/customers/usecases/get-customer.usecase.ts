import { Injectable } from '@nestjs/common';
import { inTerritory, placementOf, type Territory } from '@duemap/auth';
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

/**
 * Whether a territory (undefined: no limit) opens this customer. Outside answers like unknown, so
 * a collector cannot tell another territory's customer exists.
 */
export function customerRowInTerritory(territory: Territory | undefined, row: CustomerEntity): boolean {
  return inTerritory(
    territory,
    placementOf({
      customerId: row.id,
      country: row.country,
      province: row.province,
      salesTerritory: row.salesTerritory,
    }),
  );
}

/**
 * One customer by its Duemap id or by one of its source records, inside the caller's territory;
 * 404 CUSTOMER_NOT_FOUND otherwise.
 */
@Injectable()
export class GetCustomerUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly records: CustomerRecords,
  ) {}

  async byId(id: string, territory?: Territory): Promise<CustomerView> {
    // A malformed id names no customer: 404 like any unknown id, rather than a database error.
    if (!isUuid(id)) throw CustomersException.notFound(id);
    const row = await this.dataSource.getRepository(CustomerEntity).findOneBy({ id: id.toLowerCase() });
    if (row === null || !customerRowInTerritory(territory, row)) throw CustomersException.notFound(id);
    return this.view(row);
  }

  async bySource(ref: SourceRef, territory?: Territory): Promise<CustomerView> {
    const mapping = await this.dataSource.getRepository(CustomerSourceEntity).findOneBy(ref);
    const row =
      mapping === null
        ? null
        : await this.dataSource.getRepository(CustomerEntity).findOneBy({ id: mapping.customerId });
    if (row === null || !customerRowInTerritory(territory, row)) {
      throw CustomersException.notFound(`${ref.sourceSystem}/${ref.externalId}`);
    }
    return this.view(row);
  }

  private async view(row: CustomerEntity): Promise<CustomerView> {
    const sources = await this.dataSource.getRepository(CustomerSourceEntity).findBy({ customerId: row.id });
    return this.records.toView(row, sources);
  }
}
