import {
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Subscription } from './consumer/event-consumer';
import { MessagingRuntime, type MessagingRuntimeOptions } from './messaging.runtime';
import { OutboxWriter } from './outbox/outbox.writer';

/** A provider that handles events: `<feature>.consumer.ts` classes implement it. */
export interface EventSubscriber {
  subscriptions(): Subscription[];
}

export interface MessagingModuleOptions extends Omit<
  MessagingRuntimeOptions,
  'dataSource' | 'subscriptions' | 'logger'
> {
  logger: Logger;
  /** Consumer classes; they are instantiated by Nest, so they can inject their use cases. */
  subscribers?: Type<EventSubscriber>[];
}

const OPTIONS = Symbol('MESSAGING_OPTIONS');

class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(MessagingRuntime) private readonly runtime: MessagingRuntime) {}

  // Consumers start after every module is initialised, so handlers find their dependencies ready.
  onApplicationBootstrap(): Promise<void> {
    return this.runtime.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.runtime.stop();
  }
}

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    const subscribers = options.subscribers ?? [];
    return {
      module: MessagingModule,
      global: true,
      providers: [
        { provide: OPTIONS, useValue: options },
        ...subscribers,
        {
          provide: MessagingRuntime,
          inject: [OPTIONS, getDataSourceToken(), ModuleRef],
          useFactory: (opts: MessagingModuleOptions, dataSource: DataSource, moduleRef: ModuleRef) =>
            new MessagingRuntime({
              ...opts,
              dataSource,
              subscriptions: subscribers.flatMap((s) => moduleRef.get(s, { strict: false }).subscriptions()),
            }),
        },
        { provide: OutboxWriter, inject: [MessagingRuntime], useFactory: (r: MessagingRuntime) => r.outbox },
        MessagingLifecycle,
      ],
      exports: [OutboxWriter, MessagingRuntime],
    };
  }
}
