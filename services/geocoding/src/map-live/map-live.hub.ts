import { Injectable } from '@nestjs/common';
import { inTerritory, type Territory } from '@duemap/auth';
import { Gauge } from 'prom-client';
import type { PinChange, PinRow } from './pin-change';
import { pinFrame } from './pin-change';

/** A connected stream: where to write, and whose pins it may see. */
export interface LiveSubscriber {
  /** undefined: every customer (not a collector). */
  territory: Territory | undefined;
  write(frame: string): void;
  /** Ends the stream (shutdown); the client reconnects, possibly to another instance. */
  end(): void;
}

const connected = new Gauge({
  name: 'duemap_map_live_streams',
  help: 'Server-sent event streams of GET /api/v1/map/live open on this instance',
});

/**
 * The streams open on this instance and the fan-out of pin changes to them. Each change goes only
 * to the streams whose caller's territory holds the customer (libs/auth inTerritory, the rule the
 * map's SQL applies), so a collector never learns of a pin outside their territory.
 */
@Injectable()
export class MapLiveHub {
  private readonly subscribers = new Set<LiveSubscriber>();

  get size(): number {
    return this.subscribers.size;
  }

  add(subscriber: LiveSubscriber): () => void {
    this.subscribers.add(subscriber);
    connected.set(this.subscribers.size);
    return () => {
      this.subscribers.delete(subscriber);
      connected.set(this.subscribers.size);
    };
  }

  publish(rows: readonly PinRow[], colorOf: (status: PinRow['status']) => string): number {
    let written = 0;
    if (rows.length === 0 || this.subscribers.size === 0) return written;
    const frames = rows.map((row) => ({ row, frame: pinFrame(changeOf(row, colorOf(row.status))) }));
    for (const subscriber of this.subscribers) {
      let batch = '';
      for (const { row, frame } of frames) {
        if (inTerritory(subscriber.territory, { ...row, customerId: row.customerId })) batch += frame;
      }
      if (batch) {
        subscriber.write(batch);
        written++;
      }
    }
    return written;
  }

  /** Ends every stream, so that the HTTP server can close (a stream never ends by itself). */
  endAll(): void {
    for (const subscriber of [...this.subscribers]) subscriber.end();
    this.subscribers.clear();
    connected.set(0);
  }
}

function changeOf(row: PinRow, color: string): PinChange {
  return {
    customerId: row.customerId,
    status: row.status,
    color,
    lat: row.lat,
    lng: row.lng,
    version: row.statusVersion.toString(),
  };
}
