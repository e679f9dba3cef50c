import { Module } from '@nestjs/common';
import { RouteCandidatesRepository } from './route-candidates.repository';
import { RoutesController } from './routes.controller';
import { PlanRouteUseCase } from './usecases/plan-route.usecase';

/** Collection routes over the map projection (customer_pins), limited to the caller's territory. */
@Module({
  controllers: [RoutesController],
  providers: [RouteCandidatesRepository, PlanRouteUseCase],
})
export class RoutesModule {}
