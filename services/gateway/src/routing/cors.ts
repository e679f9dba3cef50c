import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'authorization, content-type, idempotency-key, x-api-key, x-request-id, traceparent';
/** Response headers a cross-origin page may read besides the CORS-safelisted ones. */
const EXPOSED_HEADERS =
  'location, retry-after, ratelimit-limit, ratelimit-remaining, ratelimit-reset, x-request-id';

/** `CORS_ORIGINS` ("https://a.example, https://b.example:8443") as exact origins, lower case. */
export function parseOrigins(raw: string): Set<string> {
  return new Set(
    raw
      .split(',')
      .map((origin) => origin.trim().toLowerCase().replace(/\/$/, ''))
      .filter((origin) => origin !== ''),
  );
}

/**
 * Cross-origin access to /api/v1 for the origins listed in CORS_ORIGINS only (none by default:
 * same-origin pages alone). Credentials travel as an Authorization header the page adds, never as
 * cookies, so no Access-Control-Allow-Credentials is sent.
 */
export class Cors {
  constructor(private readonly origins: ReadonlySet<string>) {}

  private allowed(origin: string | undefined): origin is string {
    return origin !== undefined && this.origins.has(origin.toLowerCase());
  }

  /**
   * Answers a preflight (OPTIONS with Access-Control-Request-Method) before any admission, since a
   * browser sends it without credentials: 204 with the grants for a listed origin, 403 otherwise.
   * Returns whether the request was a preflight and has been answered.
   */
  preflight(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
    const origin = req.headers.origin;
    if (!this.allowed(origin)) {
      const body = JSON.stringify({
        error: { code: 'CORS_REFUSED', message: 'this origin may not call the API', details: [] },
      });
      res.writeHead(403, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        vary: 'Origin',
      });
      res.end(body);
      return true;
    }
    res.writeHead(204, {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    res.end();
    return true;
  }

  /** Headers for the answer to an actual request: the grant for a listed origin, else none. */
  responseHeaders(req: IncomingMessage): [string, string][] {
    const origin = req.headers.origin;
    if (!this.allowed(origin)) return [];
    return [
      ['access-control-allow-origin', origin],
      ['access-control-expose-headers', EXPOSED_HEADERS],
      ['vary', 'Origin'],
    ];
  }
}
