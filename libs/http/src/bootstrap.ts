import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { ApiExceptionFilter } from './api-exception.filter';
import { createOpenApiDocument, type OpenApiOptions } from './openapi';
import { refuseDeepJson } from './json-depth';
import { createValidationPipe } from './validation';

export interface ServiceBootstrapOptions {
  name: string;
  host: string;
  port: number;
  /** Largest JSON body accepted; larger ones get 413 (default 1 MB). */
  bodyLimit?: string;
  /** Serve OpenAPI at /api/docs (JSON at /api/docs-json). */
  openApi?: OpenApiOptions;
}

/** Applies the HTTP conventions every service shares: errors, validation, body limit, docs. */
export function configureHttp(
  app: INestApplication,
  options: Pick<ServiceBootstrapOptions, 'openApi'> = {},
): void {
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useGlobalPipes(createValidationPipe());
  const { openApi } = options;
  if (openApi) SwaggerModule.setup('api/docs', app, () => createOpenApiDocument(app, openApi));
}

/**
 * SIGTERM/SIGINT close the app (consumers leave their group, relays finish their batch, pools
 * drain) and then exit 0. Nest's own shutdown hooks re-raise the signal instead, which kills the
 * process before Node can write what it was asked to on exit (`--cpu-prof`, coverage).
 */
export function closeOnSignals(app: INestApplication, onError: (err: unknown) => void): void {
  let closing = false;
  const close = (): void => {
    if (closing) return;
    closing = true;
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        onError(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}

/** Boots a service's Nest app with pino logging and the shared HTTP conventions, and listens. */
export async function bootstrapService(
  module: Type<unknown> | DynamicModule,
  options: ServiceBootstrapOptions,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(module, {
    bufferLogs: true,
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useBodyParser('json', { limit: options.bodyLimit ?? '1mb', verify: refuseDeepJson() });
  configureHttp(app, options);
  closeOnSignals(app, (err) => app.get(Logger).error({ err }, `${options.name} failed to close`));
  await app.listen(options.port, options.host);
  // The gateway keeps upstream sockets open for 30 s; ours must outlive that, or a request could be
  // sent on a socket we are closing (headersTimeout must exceed keepAliveTimeout).
  const server = app.getHttpServer();
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  app.get(Logger).log(`${options.name} listening on http://${options.host}:${options.port}`);
  return app;
}
