import { Module } from '@nestjs/common';
import { MapLiveController } from './map-live.controller';
import { MapLiveHub } from './map-live.hub';
import { PinChangesListener } from './pin-changes.listener';
import { PinLookupRepository } from './pin-lookup.repository';

/** GET /api/v1/map/live: the map's pin changes pushed to the console as server-sent events (ADR 0022). */
@Module({
  controllers: [MapLiveController],
  providers: [MapLiveHub, PinLookupRepository, PinChangesListener],
})
export class MapLiveModule {}
