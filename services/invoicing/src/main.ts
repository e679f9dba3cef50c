import './instrument';
import { runService } from '@duemap/http';
import { AppModule } from './app.module';
import { invoicingConfig } from './config';

void runService({
  name: 'invoicing',
  schema: invoicingConfig,
  module: (config, logger) => AppModule.register(config, logger),
  openApi: { title: 'Duemap invoicing' },
});
