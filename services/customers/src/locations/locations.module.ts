import { Module } from '@nestjs/common';
import { LocationsConsumer } from './locations.consumer';
import { RecordLocationUseCase } from './usecases/record-location.usecase';

@Module({ providers: [RecordLocationUseCase, LocationsConsumer] })
export class LocationsModule {}
