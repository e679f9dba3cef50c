import { Logger, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { CONFIG } from '@duemap/config';
import type { DataSource } from 'typeorm';
import type { GeocodingConfig } from '../config';
import { GEOCODING_PROVIDER, type GeocodingProvider } from './geocoding-provider';
import { OfflineGeocoder } from './offline/offline-geocoder';
import { createOnlineGeocoder } from './online/create-online-geocoder';

async function createProvider(config: GeocodingConfig, dataSource: DataSource): Promise<GeocodingProvider> {
  // Read and indexed once, at boot: lookups afterwards are in memory. Loaded for every choice:
  // it is the fallback of the online providers and normalises their answers.
  const offline = await OfflineGeocoder.load();
  new Logger('Geocoder').log({ msg: 'offline geodata loaded', ...offline.gazetteer.stats });
  switch (config.GEOCODER) {
    case 'offline':
      return offline;
    case 'nominatim':
    case 'pelias':
    case 'amap':
    case 'baidu':
      return createOnlineGeocoder(config.GEOCODER, config, { offline, dataSource });
  }
}

/** The configured GeocodingProvider, ready (its data loaded) before the app starts consuming. */
@Module({
  providers: [
    { provide: GEOCODING_PROVIDER, inject: [CONFIG, getDataSourceToken()], useFactory: createProvider },
  ],
  exports: [GEOCODING_PROVIDER],
})
export class GeocoderModule {}
