import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { isApiPath } from './api.forwarder';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * The Content-Security-Policy of the gateway's pages: Swagger UI at /api/docs loads its bundle and
 * init script from this origin (no inline script, so none is allowed), styles itself inline and
 * draws its icons from data: URIs, and fetches /api/openapi.json and the API from this origin. The
 * sign-in page answers with its own stricter policy, which replaces this one.
 */
export const PAGE_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * helmet for everything Express serves that is not /api/v1 (API docs, sign-in, discovery and key
 * set, later the console). /api/v1 answers get their own deny-all headers in the forwarder
 * (apiSecurityHeaders), so helmet is skipped there rather than fight over the same headers.
 * HSTS only when the gateway is configured as served over https, as for the API: a browser pinned
 * to https on a plain-http install would lose the console.
 */
export function pageSecurityHeaders(hstsMaxAge: number): Middleware {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: Object.fromEntries(Object.entries(PAGE_CSP_DIRECTIVES).map(([k, v]) => [k, [...v]])),
    },
    strictTransportSecurity: hstsMaxAge > 0 ? { maxAge: hstsMaxAge, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
  });
  return (req, res, next) => {
    if (isApiPath(req.url ?? '')) next();
    else headers(req, res, next);
  };
}
