import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config';
import { AuditController } from './audit.controller';
import { AuditLogStore } from './audit-log.store';
import { AuditRecorder } from './audit-recorder';

const AUDIT_POOL = 'AUDIT_POOL';

/**
 * Flushes the recorder once the HTTP server has closed (Nest calls shutdown hooks after closing
 * it, so the last answers' entries are already queued), then ends the pool.
 */
class AuditShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(AuditRecorder) private readonly recorder: AuditRecorder,
    @Inject(AUDIT_POOL) private readonly pool: Pool,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.recorder.close();
    await this.pool.end();
  }
}

/**
 * The audit trail: the recorder the admission's `finished` step feeds (`app.get(AuditRecorder)`),
 * and the admins' query API. Its own small pg pool: batches are written off the request path and
 * must not wait behind, or hold up, the gateway's other queries.
 */
@Module({})
export class AuditModule {
  static register(config: GatewayConfig, logger: Logger): DynamicModule {
    const log = logger.child({ component: 'audit' });
    return {
      module: AuditModule,
      controllers: [AuditController],
      providers: [
        {
          provide: AUDIT_POOL,
          useFactory: () => {
            const pool = new Pool({ connectionString: config.DATABASE_URL, max: 3 });
            // An idle connection dropped by the server must not crash the gateway; the next batch reconnects.
            pool.on('error', (err) => log.warn({ err }, 'audit pool connection lost'));
            return pool;
          },
        },
        { provide: AuditLogStore, inject: [AUDIT_POOL], useFactory: (pool: Pool) => new AuditLogStore(pool) },
        {
          provide: AuditRecorder,
          inject: [AuditLogStore],
          useFactory: (store: AuditLogStore) =>
            new AuditRecorder(store, log, { trustedProxies: config.TRUSTED_PROXIES }),
        },
        AuditShutdown,
      ],
      exports: [AuditRecorder],
    };
  }
}
