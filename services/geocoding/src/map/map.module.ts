import { Module } from '@nestjs/common';
import { CustomerPlacementsModule } from '../customer-placements/customer-placements.module';
import { GeocoderModule } from '../geocoder/geocoder.module';
import { GridDrainer } from './grid-maintenance/grid-drainer';
import { GridMaintenanceRepository } from './grid-maintenance/grid-maintenance.repository';
import { MapConsumer } from './map.consumer';
import { MapController } from './map.controller';
import { PinRepository } from './pin.repository';
import { GetUnlocatedUseCase } from './unlocated/get-unlocated.usecase';
import { UnlocatedController } from './unlocated/unlocated.controller';
import { ApplyBalanceChangeUseCase } from './usecases/apply-balance-change.usecase';
import { ApplyCustomerAttributesUseCase } from './usecases/apply-customer-attributes.usecase';
import { ApplyStatusChangeUseCase } from './usecases/apply-status-change.usecase';
import { GetMapCustomersUseCase } from './usecases/get-map-customers.usecase';
import { GetMapListUseCase } from './usecases/get-map-list.usecase';
import { GetRegionRollupsUseCase } from './usecases/get-region-rollups.usecase';
import { LocateCustomerUseCase } from './usecases/locate-customer.usecase';

/**
 * The map projection: pins from customer events, served as GeoJSON and regional roll-ups; the grid
 * and roll-ups they are clustered and summed from, kept by GridDrainer off the writing transaction.
 */
@Module({
  imports: [GeocoderModule, CustomerPlacementsModule],
  controllers: [MapController, UnlocatedController],
  providers: [
    PinRepository,
    LocateCustomerUseCase,
    ApplyStatusChangeUseCase,
    ApplyBalanceChangeUseCase,
    ApplyCustomerAttributesUseCase,
    GetMapCustomersUseCase,
    GetMapListUseCase,
    GetRegionRollupsUseCase,
    GetUnlocatedUseCase,
    MapConsumer,
    GridMaintenanceRepository,
    GridDrainer,
  ],
})
export class MapModule {}
