import { bdToGcj, bdToWgs, gcjToBd, gcjToWgs, wgsToGcj } from './coordinates';

/** Great-circle distance in metres, to state tolerances in the unit that matters on a map. */
function metres([lng1, lat1]: readonly number[], [lng2, lat2]: readonly number[]): number {
  const rad = Math.PI / 180;
  const dLat = ((lat2 ?? 0) - (lat1 ?? 0)) * rad;
  const dLng = ((lng2 ?? 0) - (lng1 ?? 0)) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos((lat1 ?? 0) * rad) * Math.cos((lat2 ?? 0) * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(h));
}

describe('datum conversions', () => {
  // Reference values printed by github.com/wandergis/coordtransform test/app.js for (116.404, 39.915).
  it('BD-09 -> GCJ-02 matches coordtransform bd09togcj02', () => {
    const [lng, lat] = bdToGcj(116.404, 39.915);
    expect(lng).toBeCloseTo(116.39762729119315, 9);
    expect(lat).toBeCloseTo(39.90865673957631, 9);
  });

  it('GCJ-02 -> BD-09 matches coordtransform gcj02tobd09', () => {
    const [lng, lat] = gcjToBd(116.404, 39.915);
    expect(lng).toBeCloseTo(116.41036949371029, 9);
    expect(lat).toBeCloseTo(39.92133699351021, 9);
  });

  it('WGS-84 -> GCJ-02 matches coordtransform wgs84togcj02', () => {
    const [lng, lat] = wgsToGcj(116.404, 39.915);
    expect(lng).toBeCloseTo(116.41024449916938, 9);
    expect(lat).toBeCloseTo(39.91640428150164, 9);
  });

  it('GCJ-02 -> WGS-84 inverts the forward transform to centimetres (coordtransform one-step is metres off)', () => {
    const wgs = gcjToWgs(116.404, 39.915);
    expect(metres(wgsToGcj(...wgs), [116.404, 39.915])).toBeLessThan(0.05);
    // coordtransform's gcj02towgs84 (one step): [116.39775550083061, 39.91359571849836]
    expect(metres(wgs, [116.39775550083061, 39.91359571849836])).toBeLessThan(5);
  });

  it('Beijing railway station: BD-09 (39.90851, 116.43351) is GCJ-02 (39.90245, 116.42703)', () => {
    // The example of the R package 'cst' (bd2gcj), both points read off the two maps.
    const gcj = bdToGcj(116.43351, 39.90851);
    expect(metres(gcj, [116.42703, 39.90245])).toBeLessThan(5);
  });

  it('BD-09 -> WGS-84 is about a kilometre from the BD-09 point and round-trips', () => {
    const bd: [number, number] = [116.3076223267197, 40.05682848596073]; // Baidu's own doc example (百度大厦)
    const wgs = bdToWgs(...bd);
    const offset = metres(wgs, bd);
    expect(offset).toBeGreaterThan(500);
    expect(offset).toBeLessThan(1500);
    expect(metres(gcjToBd(...wgsToGcj(...wgs)), bd)).toBeLessThan(0.5);
  });

  it('leaves points outside China alone for GCJ-02', () => {
    expect(gcjToWgs(13.405, 52.52)).toEqual([13.405, 52.52]);
    expect(wgsToGcj(-74.006, 40.7128)).toEqual([-74.006, 40.7128]);
  });
});
