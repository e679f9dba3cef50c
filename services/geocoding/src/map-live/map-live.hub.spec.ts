import { MapLiveHub, type LiveSubscriber } from './map-live.hub';
import type { PinRow } from './pin-change';

const row = (customerId: string, provinceKey: string, status: PinRow['status'] = 'paid'): PinRow => ({
  customerId,
  status,
  statusVersion: 7n,
  lat: 23.1,
  lng: 113.3,
  country: 'CN',
  provinceKey,
  salesTerritory: '',
});
const colours = { paid: '#2e7d32', unpaid: '#c62828', overdue: '#f9a825' } as const;

function subscriber(
  territory: LiveSubscriber['territory'],
): LiveSubscriber & { frames: string[]; ended: number } {
  const s = {
    territory,
    frames: [] as string[],
    ended: 0,
    write: (frame: string) => s.frames.push(frame),
    end: () => s.ended++,
  };
  return s;
}

describe('MapLiveHub', () => {
  it('sends each change as one `event: pin` with the pin, its colour and version', () => {
    const hub = new MapLiveHub();
    const all = subscriber(undefined);
    hub.add(all);
    expect(hub.publish([row('c-1', 'CN/广东', 'overdue')], (s) => colours[s])).toBe(1);
    expect(all.frames).toEqual([
      'event: pin\ndata: {"customerId":"c-1","status":"overdue","color":"#f9a825","lat":23.1,"lng":113.3,"version":"7"}\n\n',
    ]);
  });

  it('sends a collector only the pins of their territory, nothing when none is theirs', () => {
    const hub = new MapLiveHub();
    const south = subscriber({
      countries: [],
      provinces: ['CN/广东省'],
      salesTerritories: [],
      customerIds: [],
    });
    const north = subscriber({
      countries: [],
      provinces: ['CN/北京市'],
      salesTerritories: [],
      customerIds: [],
    });
    hub.add(south);
    hub.add(north);
    hub.publish([row('c-1', 'CN/广东'), row('c-2', 'CN/上海')], (s) => colours[s]);
    expect(south.frames.join('')).toContain('"customerId":"c-1"');
    expect(south.frames.join('')).not.toContain('c-2');
    expect(north.frames).toEqual([]);
  });

  it('stops writing to a removed stream and ends every stream on shutdown', () => {
    const hub = new MapLiveHub();
    const gone = subscriber(undefined);
    const stays = subscriber(undefined);
    const remove = hub.add(gone);
    hub.add(stays);
    remove();
    hub.publish([row('c-1', 'CN/广东')], (s) => colours[s]);
    expect(gone.frames).toEqual([]);
    expect(hub.size).toBe(1);
    hub.endAll();
    expect(stays.ended).toBe(1);
    expect(hub.size).toBe(0);
  });
});
