import { Module } from '@nestjs/common';
import { CustomerPlacementsModule } from '../customer-placements/customer-placements.module';
import { CustomerDirectory } from './customer-directory';
import { CustomerViewRepository } from './customer-view.repository';
import { CustomersConsumer } from './customers.consumer';
import { ProjectCustomerUseCase } from './usecases/project-customer.usecase';

/** The customer read model: who may pay, and the row that serialises a customer's payments. */
@Module({
  imports: [CustomerPlacementsModule],
  providers: [CustomerViewRepository, CustomerDirectory, ProjectCustomerUseCase, CustomersConsumer],
  exports: [CustomerViewRepository, CustomerDirectory],
})
export class CustomersModule {}
