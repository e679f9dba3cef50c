import { Module } from '@nestjs/common';
import { CustomerRecords } from './customer-record';
import { CustomersController } from './customers.controller';
import { GetCustomerUseCase } from './usecases/get-customer.usecase';
import { ListCustomersUseCase } from './usecases/list-customers.usecase';
import { UpsertCustomerUseCase } from './usecases/upsert-customer.usecase';

@Module({
  controllers: [CustomersController],
  providers: [CustomerRecords, UpsertCustomerUseCase, GetCustomerUseCase, ListCustomersUseCase],
  exports: [CustomerRecords],
})
export class CustomersModule {}
