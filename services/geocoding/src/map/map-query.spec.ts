import {
  cellBox,
  cellOf,
  cellRanges,
  mercatorX,
  mercatorY,
  parseBbox,
  parseMinOverdue,
  parseStatuses,
  parseTerritory,
  parseTiers,
  parseZoom,
  widenBbox,
} from './map-query';

describe('map query values', () => {
  it('parses a bbox, allowing one across the antimeridian', () => {
    expect(parseBbox('73.5,18.1,135.1,53.6')).toEqual({ ok: true, value: [73.5, 18.1, 135.1, 53.6] });
    expect(parseBbox('170,-30,-160,0')).toEqual({ ok: true, value: [170, -30, -160, 0] });
  });

  it.each([
    ['1,2,3', 'minLng,minLat,maxLng,maxLat'],
    ['a,b,c,d', 'minLng,minLat,maxLng,maxLat'],
    ['1e2,0,0,0', 'minLng,minLat,maxLng,maxLat'],
    ['-181,0,0,0', 'longitudes'],
    ['0,-91,0,0', 'latitudes'],
    ['0,10,1,5', 'minLat <= maxLat'],
  ])('refuses the bbox %s', (raw, problem) => {
    const parsed = parseBbox(raw);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toContain(problem);
  });

  it('floors fractional zoom levels and refuses others', () => {
    expect(parseZoom('12.7')).toEqual({ ok: true, value: 12 });
    expect(parseZoom('0')).toEqual({ ok: true, value: 0 });
    expect(parseZoom('25').ok).toBe(false);
    expect(parseZoom('-1').ok).toBe(false);
    expect(parseZoom('x').ok).toBe(false);
  });

  it('parses a status list', () => {
    expect(parseStatuses('unpaid, OVERDUE,unpaid')).toEqual({ ok: true, value: ['unpaid', 'overdue'] });
    expect(parseStatuses('paid,green').ok).toBe(false);
    expect(parseStatuses('').ok).toBe(false);
  });

  it('parses tiers, days overdue and a sales territory', () => {
    expect(parseTiers('VIP, standard,vip')).toEqual({ ok: true, value: ['vip', 'standard'] });
    expect(parseTiers('gold').ok).toBe(false);
    expect(parseMinOverdue('0')).toEqual({ ok: true, value: 0 });
    expect(parseMinOverdue('30')).toEqual({ ok: true, value: 30 });
    for (const bad of ['-1', '1.5', '007', 'x', '36501', '']) expect(parseMinOverdue(bad).ok).toBe(false);
    expect(parseTerritory(' south-china ')).toEqual({ ok: true, value: 'south-china' });
    expect(parseTerritory('  ').ok).toBe(false);
  });

  it('projects to Web Mercator like map_cell_x / map_cell_y', () => {
    expect(mercatorX(-180)).toBe(0);
    expect(mercatorX(0)).toBe(0.5);
    expect(mercatorY(0)).toBeCloseTo(0.5, 12);
    expect(mercatorY(90)).toBeCloseTo(0, 6);
    expect(mercatorY(-90)).toBeCloseTo(1, 6);
  });

  it('covers a box with cell ranges, two across the antimeridian', () => {
    expect(cellRanges([-180, -90, 180, 90], 2)).toEqual([{ minX: 0, maxX: 3, minY: 0, maxY: 3 }]);
    expect(cellRanges([0, 0, 90, 60], 2)).toEqual([{ minX: 2, maxX: 3, minY: 1, maxY: 2 }]);
    expect(cellRanges([170, -10, -170, 10], 4)).toEqual([
      { minX: 15, maxX: 15, minY: 7, maxY: 8 },
      { minX: 0, maxX: 0, minY: 7, maxY: 8 },
    ]);
  });

  it('widens a box, wrapping at the antimeridian and stopping at the poles', () => {
    expect(widenBbox([10, 20, 30, 40], 5)).toEqual([5, 15, 35, 45]);
    expect(widenBbox([170, 80, 178, 88], 5)).toEqual([165, 75, -177, 90]);
    expect(widenBbox([-100, 0, 100, 10], 90)).toEqual([-180, -90, 180, 90]);
  });

  it('finds the cell of a position and the box of a cell, which holds it', () => {
    const { cx, cy } = cellOf(121.46, 31.22, 12);
    expect({ cx, cy }).toEqual({ cx: 3429, cy: 1673 });
    const [w, s, e, n] = cellBox(cx, cy, 12);
    expect(w).toBeLessThanOrEqual(121.46);
    expect(e).toBeGreaterThan(121.46);
    expect(s).toBeLessThanOrEqual(31.22);
    expect(n).toBeGreaterThan(31.22);
    expect(cellBox(0, 0, 0)).toEqual([
      -180,
      expect.closeTo(-85.0511, 3) as unknown,
      180,
      expect.closeTo(85.0511, 3) as unknown,
    ]);
  });
});
