import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DeliveriesController } from './deliveries.controller';
import { DeliveryEntity } from './delivery.entity';
import { DeliveryLog } from './delivery-log';
import { ListDeliveriesUseCase } from './usecases/list-deliveries.usecase';

/** The delivery log of reminders: written by the channel router, read over GET /api/v1/deliveries. */
@Module({
  imports: [TypeOrmModule.forFeature([DeliveryEntity])],
  controllers: [DeliveriesController],
  providers: [DeliveryLog, ListDeliveriesUseCase],
  exports: [DeliveryLog],
})
export class DeliveriesModule {}
