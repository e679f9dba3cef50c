import { type DynamicModule, Inject, Module } from '@nestjs/common';
import { type ConfigSchema, type EnvSource, loadConfig } from './config';

/** Injection token of the loaded config. A string, so tests can override it by name too. */
export const CONFIG = 'DUEMAP_CONFIG';

/**
 * `constructor(@InjectConfig() private readonly config: PaymentsConfig)` where
 * `type PaymentsConfig = ConfigOf<typeof paymentsConfig>`. Nest cannot infer the type from the
 * token, so the annotation is what makes the injection typed.
 */
export const InjectConfig = (): PropertyDecorator & ParameterDecorator => Inject(CONFIG);

/**
 * Provides the service's config to every module (global), so use cases inject it without each
 * feature module importing this one. Chosen over `@nestjs/config`: its `ConfigService.get('KEY')`
 * is stringly typed, while here the whole validated object is injected with its type.
 *
 * In main.ts, load first so that a bad environment exits with code 78 before Nest starts:
 *   const config = loadConfigOrExit(paymentsConfig, process.env, { service: 'payments' });
 *   const app = await NestFactory.create(AppModule.register(config)); // imports forRoot(config)
 */
@Module({})
export class ServiceConfigModule {
  static forRoot(config: object): DynamicModule {
    return {
      module: ServiceConfigModule,
      global: true,
      providers: [{ provide: CONFIG, useValue: config }],
      exports: [CONFIG],
    };
  }

  /** Loads and validates now; throws ConfigError (handy in tests and tools). */
  static forService(schema: ConfigSchema, service: string, env: EnvSource = process.env): DynamicModule {
    return ServiceConfigModule.forRoot(loadConfig(schema, env, { service }));
  }
}
