import { Logger, Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import { ApiKeyRegistry } from './api-key-registry';
import { ApiKeysController } from './api-keys.controller';
import { JsonBodyMiddleware } from './json-body.middleware';

/**
 * API keys: the management API, and the authenticator the gateway's admission asks
 * (`app.get(ApiKeyAuthenticator)`). The two share the cache, so a key revoked or rotated through
 * this instance stops working here at once.
 */
@Module({
  controllers: [ApiKeysController],
  providers: [
    {
      provide: ApiKeyAuthenticator,
      inject: [DataSource],
      useFactory: (dataSource: DataSource) => {
        const logger = new Logger('ApiKeys');
        // A lost last_used_at write costs nothing but a stale column; the call goes on.
        return new ApiKeyAuthenticator(new ApiKeyRegistry(dataSource), {
          onTouchError: (err) => logger.warn(`last_used_at not recorded: ${String(err)}`),
        });
      },
    },
    {
      provide: ApiKeyRegistry,
      inject: [DataSource, ApiKeyAuthenticator],
      useFactory: (dataSource: DataSource, authenticator: ApiKeyAuthenticator) =>
        new ApiKeyRegistry(dataSource, (id) => authenticator.forget(id)),
    },
  ],
  exports: [ApiKeyAuthenticator],
})
export class ApiKeysModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(JsonBodyMiddleware).forRoutes(ApiKeysController);
  }
}
