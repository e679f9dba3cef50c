import {
  Inject,
  Injectable,
  Module,
  SetMetadata,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { DiscoveryModule, DiscoveryService, Reflector } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { Subscription } from './consumer/event-consumer';
import { MessagingRuntime, type MessagingRuntimeOptions } from './messaging.runtime';
import { PipeMonitor, type PipeBounds } from './monitor/pipe-monitor';
import { OutboxWriter } from './outbox/outbox.writer';

/** A provider that handles events: `<feature>.consumer.ts` classes implement it. */
export interface EventSubscriber {
  subscriptions(): Subscription[];
}

const SUBSCRIBER = Symbol('duemap:event-subscriber');

/**
 * Marks a provider of a feature module as an event subscriber: the messaging module finds it at
 * boot and adds its subscriptions to the service's consumer group. The class stays in its own
 * feature module, so it injects that module's use cases.
 */
export const EventSubscriberProvider = (): ClassDecorator => SetMetadata(SUBSCRIBER, true);

export interface MessagingModuleOptions extends Omit<
  MessagingRuntimeOptions,
  'dataSource' | 'subscriptions' | 'logger'
> {
  logger: Logger;
  /** Bounds of the pipe monitor that readiness reads (PipeMonitor); defaults suit a service. */
  monitor?: Partial<PipeBounds> & { sampleIntervalMs?: number };
}

const OPTIONS = Symbol('MESSAGING_OPTIONS');

@Injectable()
class MessagingLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(MessagingRuntime) private readonly runtime: MessagingRuntime,
    @Inject(PipeMonitor) private readonly monitor: PipeMonitor,
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  // Consumers start after every module is initialised, so handlers find their dependencies ready.
  async onApplicationBootstrap(): Promise<void> {
    const subscriptions = this.discovery
      .getProviders()
      .filter((w) => w.metatype && w.instance && this.reflector.get<boolean>(SUBSCRIBER, w.metatype))
      .flatMap((w) => (w.instance as EventSubscriber).subscriptions());
    await this.runtime.start(subscriptions);
    this.monitor.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.monitor.stop();
    await this.runtime.stop();
  }
}

@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: true,
      imports: [DiscoveryModule],
      providers: [
        { provide: OPTIONS, useValue: options },
        {
          provide: MessagingRuntime,
          inject: [OPTIONS, getDataSourceToken()],
          useFactory: (opts: MessagingModuleOptions, dataSource: DataSource) =>
            new MessagingRuntime({ ...opts, dataSource }),
        },
        { provide: OutboxWriter, inject: [MessagingRuntime], useFactory: (r: MessagingRuntime) => r.outbox },
        {
          provide: PipeMonitor,
          inject: [MessagingRuntime, getDataSourceToken()],
          useFactory: (runtime: MessagingRuntime, dataSource: DataSource) =>
            new PipeMonitor({
              ...options.monitor,
              dataSource,
              kafka: runtime.kafka,
              logger: options.logger.child({ component: 'pipe-monitor' }),
              consumption: () => runtime.consumption(),
            }),
        },
        MessagingLifecycle,
      ],
      exports: [OutboxWriter, MessagingRuntime, PipeMonitor],
    };
  }
}
