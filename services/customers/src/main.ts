import './instrument';
import { runService } from '@duemap/http';
import { AppModule } from './app.module';
import { customersConfig } from './config';

void runService({
  name: 'customers',
  schema: customersConfig,
  module: (config, logger) => AppModule.register(config, logger),
  openApi: { title: 'Duemap customers' },
});
