import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiExceptionFilter, closeOnSignals } from '@duemap/http';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module';
import type { GatewayConfig } from './config';
import { createGatewayAccess } from './access/create-gateway-access';
import { DocsController } from './docs/docs.controller';
import { withAuditTrail } from './audit/audited-access';
import { AuditRecorder } from './audit/audit-recorder';
import { consoleOptions } from './console/console-options';
import { consoleStatic } from './console/console-static';
import { ApiForwarder, isApiPath } from './routing/api.forwarder';
import { pageSecurityHeaders } from './routing/page-security';

/**
 * The one HTTP entry: /api/v1/* is authenticated and streamed to the owning service by the
 * forwarder; /api/docs shows the merged OpenAPI of all services; /health and /metrics are the
 * gateway's own. Bodies are not parsed here, so payloads pass through untouched.
 */
export async function createGateway(config: GatewayConfig, logger: PinoLogger): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(config, logger), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ApiExceptionFilter());
  closeOnSignals(app, (err) => logger.error({ err }, 'gateway failed to close'));
  serveApiAheadOfExpress(app, config, logger);
  // Before SwaggerModule.setup, which adds its routes to Express at once.
  app.use(pageSecurityHeaders(config.HSTS_MAX_AGE));
  app.use(consoleStatic(consoleOptions(config)));
  const base = new DocumentBuilder().setTitle('Duemap API').setVersion('1').build();
  app.get(DocsController).includeGatewayDocument(() => SwaggerModule.createDocument(app, base));
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, base), {
    raw: false,
    swaggerOptions: { url: '/api/openapi.json' },
  });
  return app;
}

/**
 * Nest created the http.Server with its Express app as the only `request` listener. That listener
 * is swapped for one that hands /api/v1 to the forwarder and everything else to the same Express
 * app, so the hot path skips Express's router, pino-http and the proxy middleware, while Nest still
 * owns the server: `app.listen()`, the timeouts set on it, and `app.close()` (which waits for
 * forwarded requests in flight). A listener put in front with prependListener would not do: every
 * listener of an event runs, so Express would still see each API request.
 */
function serveApiAheadOfExpress(
  app: NestExpressApplication,
  config: GatewayConfig,
  logger: PinoLogger,
): void {
  const server: Server = app.getHttpServer();
  const express = app.getHttpAdapter().getInstance() as RequestListener;
  const access = withAuditTrail(createGatewayAccess(config, app), app.get(AuditRecorder));
  const forwarder = new ApiForwarder(config, logger, access, express);
  const listeners = server.listeners('request');
  if (listeners.length !== 1 || listeners[0] !== express) {
    // Fail at boot rather than serve /api/v1 twice or not at all if Nest changes how it listens.
    throw new Error(`expected Nest's Express app as the only request listener, found ${listeners.length}`);
  }
  server.removeListener('request', express);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (isApiPath(req.url ?? '')) forwarder.handle(req, res);
    else express(req, res);
  });
  server.once('close', () => forwarder.close());
}
