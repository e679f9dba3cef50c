import type { MessagingRuntime } from '@duemap/messaging';
import type { GeocodingConfig } from '../config';
import { MapLiveHub } from './map-live.hub';
import type { PinRow } from './pin-change';
import { PinChangesListener } from './pin-changes.listener';
import type { PinLookupRepository } from './pin-lookup.repository';

const config = {
  SERVICE_NAME: 'geocoding',
  MAP_COLOR_PAID: '#2e7d32',
  MAP_COLOR_UNPAID: '#c62828',
  MAP_COLOR_OVERDUE: '#f9a825',
} as GeocodingConfig;

const row = (status: PinRow['status'], version: bigint): PinRow => ({
  customerId: 'c-1',
  status,
  statusVersion: version,
  lat: 30.66,
  lng: 104.07,
  country: 'CN',
  provinceKey: 'CN/四川',
  salesTerritory: '',
});

function setUp(reads: PinRow[][]): { listener: PinChangesListener; frames: string[]; lookups: () => number } {
  const hub = new MapLiveHub();
  const frames: string[] = [];
  hub.add({ territory: undefined, write: (f) => frames.push(f), end: () => undefined });
  let n = 0;
  const pins = { find: jest.fn(() => Promise.resolve(reads[Math.min(n++, reads.length - 1)] ?? [])) };
  const listener = new PinChangesListener(
    {} as MessagingRuntime,
    hub,
    pins as unknown as PinLookupRepository,
    config,
  );
  return { listener, frames, lookups: () => n };
}

describe('PinChangesListener.forward', () => {
  afterEach(() => jest.useRealTimers());

  it("sends the pin as the projection holds it once geocoding's consumer has applied the status", async () => {
    // The first read is before the map consumer applied version 5; the second after.
    const { listener, frames, lookups } = setUp([[row('overdue', 4n)], [row('paid', 5n)]]);
    await listener.forward([{ customerId: 'c-1', version: 5n, status: 'paid' }]);
    expect(lookups()).toBe(2);
    expect(frames).toEqual([
      'event: pin\ndata: {"customerId":"c-1","status":"paid","color":"#2e7d32","lat":30.66,"lng":104.07,"version":"5"}\n\n',
    ]);
  });

  it("sends the event's status where the pin is when the projection has not caught up in time", async () => {
    jest.useFakeTimers();
    const { listener, frames } = setUp([[row('overdue', 4n)]]);
    const done = listener.forward([{ customerId: 'c-1', version: 5n, status: 'paid' }]);
    await jest.advanceTimersByTimeAsync(2500);
    await done;
    expect(frames).toHaveLength(1);
    expect(frames[0]).toContain('"status":"paid","color":"#2e7d32","lat":30.66');
  });

  it('keeps the newest status of a customer changed twice in one batch', async () => {
    const { listener, frames } = setUp([[row('unpaid', 7n)]]);
    await listener.forward([
      { customerId: 'c-1', version: 7n, status: 'unpaid' },
      { customerId: 'c-1', version: 6n, status: 'overdue' },
    ]);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toContain('"status":"unpaid"');
  });
});
