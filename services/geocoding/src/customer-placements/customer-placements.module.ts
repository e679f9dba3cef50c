import { Module } from '@nestjs/common';
import { ProjectCustomerPlacementUseCase } from './project-customer-placement.usecase';

/**
 * Where customers are (customer_placements), for collectors' territories; fed by the map's
 * consumer, which already handles customer-upserted and address-changed (one handler per topic).
 */
@Module({
  providers: [ProjectCustomerPlacementUseCase],
  exports: [ProjectCustomerPlacementUseCase],
})
export class CustomerPlacementsModule {}
