import { Module } from '@nestjs/common';
import { CustomerPlacementsConsumer } from './customer-placements.consumer';
import { ProjectCustomerPlacementUseCase } from './project-customer-placement.usecase';

/** Where customers are (customer_placements), for collectors' territories. */
@Module({
  providers: [ProjectCustomerPlacementUseCase, CustomerPlacementsConsumer],
  exports: [ProjectCustomerPlacementUseCase],
})
export class CustomerPlacementsModule {}
