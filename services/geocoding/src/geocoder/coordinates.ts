/**
 * Datum conversions for Chinese web-map coordinates. Amap answers in GCJ-02 (the "Mars" datum of
 * every map published in China), Baidu in BD-09 (GCJ-02 with Baidu's own offset on top); pins are
 * WGS-84. The offset of GCJ-02 is 100-700 m and of BD-09 about 1 km: enough to put a customer in
 * the next street or district.
 *
 * GCJ-02: the widely published forward transform (the one services/geocoding/tools/
 * build-china-divisions.ts used to build the offline district seats; krtab 2012, also
 * github.com/wandergis/coordtransform), inverted by fixed-point iteration to < 1e-7 degrees.
 * BD-09: Baidu's transform of GCJ-02 (`bd_encrypt` / `bd_decrypt`, as in wandergis/coordtransform
 * `gcj02tobd09` / `bd09togcj02`):
 *   x = lng - 0.0065, y = lat - 0.006, z = sqrt(x² + y²) - 2e-5 · sin(y · π · 3000/180),
 *   θ = atan2(y, x) - 3e-6 · cos(x · π · 3000/180), GCJ-02 = (z · cos θ, z · sin θ).
 * The decrypt formula is itself an approximation of the inverse (~1e-6 degrees, 10 cm); both
 * datums leave points outside China's bounding box unchanged, as the providers do.
 */
export type LngLat = readonly [lng: number, lat: number];

const A = 6378245.0;
const EE = 0.006693421622965943;
const X_PI = (Math.PI * 3000.0) / 180.0;

/** Outside this box GCJ-02 is WGS-84 (the transform is only applied in and around China). */
export function outOfChina(lng: number, lat: number): boolean {
  return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function transformLat(x: number, y: number): number {
  let r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  r += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  return r;
}

function transformLng(x: number, y: number): number {
  let r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  r += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  r += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  r += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  return r;
}

/** The published forward transform WGS-84 -> GCJ-02. */
export function wgsToGcj(lng: number, lat: number): LngLat {
  if (outOfChina(lng, lat)) return [lng, lat];
  let dLat = transformLat(lng - 105, lat - 35);
  let dLng = transformLng(lng - 105, lat - 35);
  const radLat = (lat / 180) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLng = (dLng * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lng + dLng, lat + dLat];
}

/**
 * GCJ-02 -> WGS-84: the forward transform inverted by fixed-point iteration (the offset is smooth,
 * so a few rounds reach ~1 cm); the one-step "subtract the offset at the GCJ point" inverse that
 * many libraries ship is off by up to a few metres.
 */
export function gcjToWgs(lng: number, lat: number): LngLat {
  if (outOfChina(lng, lat)) return [lng, lat];
  let [x, y] = [lng, lat];
  for (let i = 0; i < 30; i++) {
    const [gx, gy] = wgsToGcj(x, y);
    const dx = gx - lng;
    const dy = gy - lat;
    x -= dx;
    y -= dy;
    if (Math.abs(dx) < 1e-7 && Math.abs(dy) < 1e-7) break;
  }
  return [x, y];
}

/** Baidu's BD-09 -> GCJ-02 (`bd_decrypt`). */
export function bdToGcj(lng: number, lat: number): LngLat {
  const x = lng - 0.0065;
  const y = lat - 0.006;
  const z = Math.sqrt(x * x + y * y) - 0.00002 * Math.sin(y * X_PI);
  const theta = Math.atan2(y, x) - 0.000003 * Math.cos(x * X_PI);
  return [z * Math.cos(theta), z * Math.sin(theta)];
}

/** Baidu's GCJ-02 -> BD-09 (`bd_encrypt`); used by tests to check the round trip. */
export function gcjToBd(lng: number, lat: number): LngLat {
  const z = Math.sqrt(lng * lng + lat * lat) + 0.00002 * Math.sin(lat * X_PI);
  const theta = Math.atan2(lat, lng) + 0.000003 * Math.cos(lng * X_PI);
  return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
}

/** BD-09 -> WGS-84: Baidu's offset removed, then GCJ-02's. */
export function bdToWgs(lng: number, lat: number): LngLat {
  const [gLng, gLat] = bdToGcj(lng, lat);
  return gcjToWgs(gLng, gLat);
}
