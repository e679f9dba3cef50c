import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { InjectConfig } from '@duemap/config';
import { decodeRecord, Topic } from '@duemap/events';
import { MessagingRuntime } from '@duemap/messaging';
import type { Consumer } from 'kafkajs';
import { pinStatusOf } from '../map/usecases/apply-status-change.usecase';
import type { GeocodingConfig } from '../config';
import { MapLiveHub } from './map-live.hub';
import type { PinRow } from './pin-change';
import { PinLookupRepository } from './pin-lookup.repository';

/** How long a status event may wait for geocoding's own consumer to apply it before it is sent as the event says. */
const APPLY_WAIT_MS = 2000;
const APPLY_POLL_MS = 50;

export interface StatusSeen {
  customerId: string;
  version: bigint;
  status: PinRow['status'];
}

/**
 * Feeds MapLiveHub from customers.status-changed.v1 (ADR 0022). A consumer group of its own per
 * process — every instance must see every change, since any instance may hold the stream of the
 * collector a change is for — that starts at the end of the topic and commits nothing: a stream
 * shows what changes while it is open, and a client that reconnects asks for its view again.
 *
 * The event is the trigger, the projection is what is sent: the pins are read back by primary key
 * once geocoding's own consumer has applied the status (its status_version has caught up), so a
 * view the console asks for right after agrees with what the stream said.
 */
@Injectable()
export class PinChangesListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PinChangesListener.name);
  private consumer: Consumer | undefined;
  private stopped = false;

  constructor(
    private readonly runtime: MessagingRuntime,
    private readonly hub: MapLiveHub,
    private readonly pins: PinLookupRepository,
    @InjectConfig() private readonly config: GeocodingConfig,
  ) {}

  onApplicationBootstrap(): void {
    // In the background: the service serves the map while the broker is away; kafkajs reconnects.
    this.start().catch((err: unknown) => this.logger.error(`map live feed did not start: ${String(err)}`));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.hub.endAll();
    await this.consumer?.disconnect().catch(() => undefined);
  }

  private async start(): Promise<void> {
    const groupId = `${this.config.SERVICE_NAME}-map-live-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const consumer = this.runtime.kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 3000,
      maxWaitTimeInMs: 100,
      minBytes: 1,
      allowAutoTopicCreation: false,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 5000 },
    });
    this.consumer = consumer;
    // The app may be closing while this starts (a test's short-lived app): stop at each step.
    const closing = async (): Promise<boolean> => {
      if (this.stopped) await consumer.disconnect().catch(() => undefined);
      return this.stopped;
    };
    if (this.stopped) return;
    await consumer.connect();
    if (await closing()) return;
    await consumer.subscribe({ topic: Topic.StatusChanged, fromBeginning: false });
    if (await closing()) return;
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (this.hub.size === 0) return;
        const seen: StatusSeen[] = [];
        for (const message of batch.messages) {
          try {
            const { event } = decodeRecord({ topic: Topic.StatusChanged, ...message });
            const status = pinStatusOf(event.status);
            if (status) seen.push({ customerId: event.customerId, version: event.customerVersion, status });
          } catch {
            // geocoding's own consumer dead-letters a malformed event; the stream just skips it.
          }
        }
        await this.forward(seen);
      },
    });
    if (await closing()) return;
    this.logger.log(`map live feed consuming ${Topic.StatusChanged} as ${groupId}`);
  }

  /** Sends the pins of these status changes once the projection holds them (or the wait is over). */
  async forward(seen: readonly StatusSeen[]): Promise<void> {
    const wanted = new Map<string, StatusSeen>();
    for (const s of seen) {
      const held = wanted.get(s.customerId);
      if (!held || held.version <= s.version) wanted.set(s.customerId, s);
    }
    const deadline = Date.now() + APPLY_WAIT_MS;
    while (wanted.size > 0) {
      const rows = await this.pins.find([...wanted.keys()]);
      const ready: PinRow[] = [];
      for (const row of rows) {
        const s = wanted.get(row.customerId);
        if (s && row.statusVersion >= s.version) {
          ready.push(row);
          wanted.delete(row.customerId);
        }
      }
      if (Date.now() >= deadline) {
        // Not applied in time (a slow or replaying consumer): the event's status, where the pin is.
        for (const row of rows) {
          const s = wanted.get(row.customerId);
          if (s) ready.push({ ...row, status: s.status, statusVersion: s.version });
        }
        wanted.clear();
      }
      this.hub.publish(ready, (status) => this.colorOf(status));
      if (wanted.size > 0) await new Promise((resolve) => setTimeout(resolve, APPLY_POLL_MS));
    }
  }

  private colorOf(status: PinRow['status']): string {
    switch (status) {
      case 'paid':
        return this.config.MAP_COLOR_PAID;
      case 'unpaid':
        return this.config.MAP_COLOR_UNPAID;
      case 'overdue':
        return this.config.MAP_COLOR_OVERDUE;
    }
  }
}
