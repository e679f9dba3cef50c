import './instrument';
import { runService } from '@duemap/http';
import { AppModule } from './app.module';
import { geocodingConfig } from './config';

void runService({
  name: 'geocoding',
  schema: geocodingConfig,
  module: (config, logger) => AppModule.register(config, logger),
  openApi: { title: 'Duemap geocoding' },
});
