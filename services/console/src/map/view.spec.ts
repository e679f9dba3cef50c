import { listOf, mapCustomersQuery, mapListQuery, NO_FILTERS, shows, type MapView } from './view';

const view: MapView = { bbox: [73.51234567, 18.1, 135.1, 53.6], zoom: 4.7 };

describe('the map query', () => {
  it('asks for the box and the whole zoom, and no status filter when every status is shown', () => {
    expect(mapCustomersQuery(view, NO_FILTERS)).toBe('bbox=73.5123%2C18.1%2C135.1%2C53.6&zoom=4');
  });

  it('passes the filters the API takes, and asks for nothing when no status is ticked', () => {
    const q = mapCustomersQuery(view, {
      ...NO_FILTERS,
      statuses: ['overdue'],
      tier: 'vip',
      minOverdue: '30',
    });
    expect(new URLSearchParams(q)).toEqual(
      new URLSearchParams({
        bbox: '73.5123,18.1,135.1,53.6',
        zoom: '4',
        status: 'overdue',
        tier: 'vip',
        minOverdue: '30',
      }),
    );
    expect(mapCustomersQuery(view, { ...NO_FILTERS, statuses: [] })).toBeUndefined();
    expect(
      new URLSearchParams(mapCustomersQuery(view, { ...NO_FILTERS, minOverdue: 'x' })).has('minOverdue'),
    ).toBe(false);
  });

  it('passes credit grades, region and source ERPs, tidied, to the map and its list', () => {
    const filters = { ...NO_FILTERS, grade: ' C, D ,', region: 'CN-30', source: 'SAP，kingdee' };
    const q = new URLSearchParams(mapListQuery(view, filters, 20));
    expect(Object.fromEntries(q)).toEqual({
      bbox: '73.5123,18.1,135.1,53.6',
      limit: '20',
      grade: 'C,D',
      region: 'CN-30',
      source: 'sap,kingdee',
    });
    expect(new URLSearchParams(mapCustomersQuery(view, filters)).get('source')).toBe('sap,kingdee');
    expect(listOf(' , ')).toBe('');
    expect(mapListQuery(view, { ...NO_FILTERS, statuses: [] })).toBeUndefined();
  });

  it('clamps a box wider than the world to what the API accepts', () => {
    const q = mapCustomersQuery({ bbox: [-400, -95, 400, 95], zoom: 0 }, NO_FILTERS);
    expect(new URLSearchParams(q).get('bbox')).toBe('-180,-90,180,90');
  });

  it('tells whether a changed pin belongs in the filtered view', () => {
    expect(shows(view, NO_FILTERS, 'paid', 113.3, 23.1)).toBe(true);
    expect(shows(view, { ...NO_FILTERS, statuses: ['overdue'] }, 'paid', 113.3, 23.1)).toBe(false);
    expect(shows(view, NO_FILTERS, 'paid', 2.35, 48.85)).toBe(false);
  });
});
