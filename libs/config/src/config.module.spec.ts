import 'reflect-metadata';

import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { type ConfigOf, loadConfig } from './config';
import { ConfigError } from './config.error';
import { CONFIG, InjectConfig, ServiceConfigModule } from './config.module';
import { int } from './fields';
import { platformConfig } from './platform-config';

const invoicingConfig = platformConfig.extend({
  INVOICING_OVERDUE_SCAN_BATCH: int({ min: 1, default: 500 }),
});
type InvoicingConfig = ConfigOf<typeof invoicingConfig>;

@Injectable()
class OverdueScanner {
  constructor(@InjectConfig() readonly config: InvoicingConfig) {}

  batchSize(): number {
    return this.config.INVOICING_OVERDUE_SCAN_BATCH;
  }
}

// A feature module that does not import ServiceConfigModule: the config must reach it anyway.
@Module({ providers: [OverdueScanner], exports: [OverdueScanner] })
class OverdueModule {}

describe('ServiceConfigModule', () => {
  it('forService loads the schema and injects the typed config into any module', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ServiceConfigModule.forService(invoicingConfig, 'invoicing', { INVOICING_OVERDUE_SCAN_BATCH: '50' }),
        OverdueModule,
      ],
    }).compile();
    const scanner = moduleRef.get(OverdueScanner);
    expect(scanner.batchSize()).toBe(50);
    expect(scanner.config.SERVICE_NAME).toBe('invoicing');
    expect(moduleRef.get(CONFIG)).toBe(scanner.config);
    await moduleRef.close();
  });

  it('forRoot provides an already loaded config', async () => {
    const config = loadConfig(invoicingConfig, {}, { service: 'invoicing' });
    const moduleRef = await Test.createTestingModule({
      imports: [ServiceConfigModule.forRoot(config), OverdueModule],
    }).compile();
    expect(moduleRef.get(OverdueScanner).batchSize()).toBe(500);
    await moduleRef.close();
  });

  it('forService throws the ConfigError for a bad environment', () => {
    expect(() =>
      ServiceConfigModule.forService(invoicingConfig, 'invoicing', { HTTP_PORT: 'eighty' }),
    ).toThrow(ConfigError);
  });
});
