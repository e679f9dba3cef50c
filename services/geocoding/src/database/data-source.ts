import { placementMigrations } from '@duemap/auth';
import { messagingEntities, messagingMigrations } from '@duemap/messaging';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { CustomerPinBalanceEntity } from '../map/customer-pin-balance.entity';
import { CustomerPinEntity } from '../map/customer-pin.entity';
import { CreateCustomerPins1763910000000 } from './migrations/1763910000000-create-customer-pins';
import { AddStatusAppliedAt1764000000000 } from './migrations/1764000000000-add-status-applied-at';
import { AggregateVersions1796600000000 } from './migrations/1796600000000-aggregate-versions';
import { MapGrid1797200000000 } from './migrations/1797200000000-map-grid';
import { MapGridHighZoom1797300000000 } from './migrations/1797300000000-map-grid-high-zoom';
import { PinPrecisions1797800000000 } from './migrations/1797800000000-pin-precisions';
import { GeocodeCache1797900000000 } from './migrations/1797900000000-geocode-cache';
import { MapGridAsync1798000000000 } from './migrations/1798000000000-map-grid-async';
import { MapGridUpkeep1798100000000 } from './migrations/1798100000000-map-grid-upkeep';
import { PinSourceSystems1798200000000 } from './migrations/1798200000000-pin-source-systems';

/** Everything TypeORM knows of the geocoding database; deploy/local migrates it with createDataSource. */
export function dataSourceOptions(url: string): PostgresConnectionOptions {
  return {
    type: 'postgres',
    url,
    entities: [...messagingEntities, CustomerPinEntity, CustomerPinBalanceEntity],
    migrations: [
      ...messagingMigrations,
      CreateCustomerPins1763910000000,
      AddStatusAppliedAt1764000000000,
      AggregateVersions1796600000000,
      ...placementMigrations,
      MapGrid1797200000000,
      MapGridHighZoom1797300000000,
      PinPrecisions1797800000000,
      GeocodeCache1797900000000,
      MapGridAsync1798000000000,
      MapGridUpkeep1798100000000,
      PinSourceSystems1798200000000,
    ],
  };
}

export function createDataSource(url: string): DataSource {
  return new DataSource(dataSourceOptions(url));
}
