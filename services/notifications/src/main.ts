import './instrument';
import { runService } from '@duemap/http';
import { AppModule } from './app.module';
import { notificationsConfig } from './config';

void runService({
  name: 'notifications',
  schema: notificationsConfig,
  module: (config, logger) => AppModule.register(config, logger),
  openApi: { title: 'Duemap notifications' },
});
