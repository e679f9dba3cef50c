import { Logger, Module } from '@nestjs/common';
import { CONFIG } from '@duemap/config';
import type { GeocodingConfig } from '../config';
import { GEOCODING_PROVIDER, type GeocodingProvider } from './geocoding-provider';
import { OfflineGeocoder } from './offline/offline-geocoder';

async function createProvider(config: GeocodingConfig): Promise<GeocodingProvider> {
  switch (config.GEOCODER) {
    case 'offline': {
      // Read and indexed once, at boot: lookups afterwards are in memory.
      const geocoder = await OfflineGeocoder.load();
      new Logger('Geocoder').log({ msg: 'offline geodata loaded', ...geocoder.gazetteer.stats });
      return geocoder;
    }
  }
}

/** The configured GeocodingProvider, ready (its data loaded) before the app starts consuming. */
@Module({
  providers: [{ provide: GEOCODING_PROVIDER, inject: [CONFIG], useFactory: createProvider }],
  exports: [GEOCODING_PROVIDER],
})
export class GeocoderModule {}
