import { Global, Module } from '@nestjs/common';
import { CONFIG } from '@duemap/config';
import type { CustomersConfig } from '../config';
import { PiiCipher } from './pii-cipher';

/** The one PiiCipher of the service, keyed by CUSTOMERS_PII_KEY. */
@Global()
@Module({
  providers: [
    {
      provide: PiiCipher,
      inject: [CONFIG],
      useFactory: (config: CustomersConfig) => new PiiCipher(config.CUSTOMERS_PII_KEY),
    },
  ],
  exports: [PiiCipher],
})
export class PiiModule {}
