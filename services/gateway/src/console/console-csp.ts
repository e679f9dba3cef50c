/**
 * The console's Content-Security-Policy: its own scripts and styles only (Vite emits no inline
 * script), maplibre's worker from its own hashed file, API calls and the live stream to this
 * origin, images as data:/blob: (maplibre's), and a configured tile server's origin for its
 * tiles. Nothing inline, no eval, no other origin.
 */
export function consoleCsp(tileUrl: string | undefined): string {
  const tiles = tileOrigin(tileUrl);
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:', ...tiles],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...tiles],
    'worker-src': ["'self'"],
    'child-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** scheme://host[:port] of an XYZ tile URL template ({z}/{x}/{y} left in the path), if any. */
export function tileOrigin(tileUrl: string | undefined): string[] {
  if (!tileUrl) return [];
  try {
    const url = new URL(tileUrl.replace(/\{[a-z]\}/g, '0'));
    return url.protocol === 'https:' || url.protocol === 'http:' ? [url.origin] : [];
  } catch {
    return [];
  }
}
