import type { PlannedRoute } from '../api/types';
import { csvField, routeCsv } from './route-csv';

describe('the route as CSV', () => {
  it('quotes separators and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,"b"')).toBe('"a,""b"""');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField(-1.5)).toBe('-1.5');
  });

  it('writes one row per stop in visiting order, with what to collect per currency', () => {
    const route = {
      start: { lat: 23.1, lng: 113.3 },
      end: null,
      finishKm: 0,
      totalKm: 3,
      totalExpected: [],
      unlocated: [],
      stops: [
        {
          sequence: 1,
          customerId: 'c1',
          name: '广州, 甲',
          status: 'overdue',
          lat: 23.1,
          lng: 113.3,
          legKm: 0,
          cumulativeKm: 0,
          expected: [
            { amount: '10.00', currency: 'CNY' },
            { amount: '2.00', currency: 'USD' },
          ],
          outstanding: [],
        },
      ],
    } satisfies PlannedRoute;
    expect(routeCsv(route).split('\r\n')).toEqual([
      '\uFEFFsequence,customerId,name,status,lat,lng,legKm,cumulativeKm,toCollect',
      '1,c1,"广州, 甲",overdue,23.1,113.3,0,0,10.00 CNY; 2.00 USD',
      '',
    ]);
  });
});
