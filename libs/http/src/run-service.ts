import type { DynamicModule } from '@nestjs/common';
import { loadConfigOrExit, type ConfigOf, type ConfigSchema } from '@duemap/config';
import { createLogger, profileOnSignal } from '@duemap/observability';
import type { Logger } from 'pino';
import { bootstrapService } from './bootstrap';

export interface RunServiceOptions<S extends ConfigSchema> {
  name: string;
  schema: S;
  /** Builds the root module from the validated config. */
  module: (config: ConfigOf<S>, logger: Logger) => DynamicModule;
  openApi?: { title: string; version?: string };
}

/**
 * A service's main(): validate the environment (exit 78 with one line per bad variable), create
 * the structured logger, boot Nest with the shared HTTP conventions and listen. Fatal boot errors
 * are logged as one JSON line and exit 1, so a supervisor sees why.
 */
export async function runService<S extends ConfigSchema>(options: RunServiceOptions<S>): Promise<void> {
  const config = loadConfigOrExit(options.schema, process.env, { service: options.name });
  const platform = config as unknown as { HTTP_HOST: string; HTTP_PORT: number; LOG_LEVEL: string };
  const logger = createLogger({ service: options.name, level: platform.LOG_LEVEL as 'info' });
  profileOnSignal(options.name);
  try {
    await bootstrapService(options.module(config, logger), {
      name: options.name,
      host: platform.HTTP_HOST,
      port: platform.HTTP_PORT,
      openApi: options.openApi,
    });
  } catch (err) {
    logger.fatal({ err }, `${options.name} failed to start`);
    process.exit(1);
  }
}
