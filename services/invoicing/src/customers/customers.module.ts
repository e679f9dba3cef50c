import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { CustomerPlacementsModule } from '../customer-placements/customer-placements.module';
import { CustomerDirectory } from './customer-directory';
import { CustomerUpsertedConsumer } from './customer-upserted.consumer';
import { CustomersClient } from './customers.client';
import { ProjectCustomerUseCase } from './usecases/project-customer.usecase';

/** The customer read model (customers.customer-upserted.v1) with the customers API as fallback. */
@Module({
  imports: [CommonModule, CustomerPlacementsModule],
  providers: [CustomersClient, CustomerDirectory, ProjectCustomerUseCase, CustomerUpsertedConsumer],
  exports: [CustomerDirectory],
})
export class CustomersModule {}
