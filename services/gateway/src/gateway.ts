import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiExceptionFilter, closeOnSignals } from '@duemap/http';
import { Logger } from 'nestjs-pino';
import type { Logger as PinoLogger } from 'pino';
import { AppModule } from './app.module';
import { authMiddleware } from './auth/auth.middleware';
import type { GatewayConfig } from './config';
import { apiProxy } from './routing/proxy';

/**
 * The one HTTP entry: /api/v1/* is authenticated (one middleware) and streamed to the owning
 * service; /api/docs shows the merged OpenAPI of all services; /health and /metrics are the
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
  app.use('/api/v1', authMiddleware, apiProxy(config));
  const base = new DocumentBuilder().setTitle('Duemap API').setVersion('1').build();
  SwaggerModule.setup('api/docs', app, () => SwaggerModule.createDocument(app, base), {
    raw: false,
    swaggerOptions: { url: '/api/openapi.json' },
  });
  return app;
}
