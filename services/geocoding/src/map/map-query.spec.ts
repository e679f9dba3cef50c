import { parseBbox, parseStatuses, parseZoom } from './map-query';

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
});
