import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from 'pino';
import { AfterCommit } from './after-commit';
import { Clock, SystemClock } from './clock';
import { SERVICE_LOGGER } from './logger';

/** What every feature module of the service uses: its logger, the clock, after-commit work. */
@Global()
@Module({})
export class CommonModule {
  static forRoot(logger: Logger): DynamicModule {
    return {
      module: CommonModule,
      providers: [
        { provide: SERVICE_LOGGER, useValue: logger },
        { provide: Clock, useClass: SystemClock },
        AfterCommit,
      ],
      exports: [SERVICE_LOGGER, Clock, AfterCommit],
    };
  }
}
