import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { consoleCsp } from './console-csp';

type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export interface ConsoleOptions {
  /** services/console/dist: index.html and assets/ (npm run build -w services/console). */
  dir: string;
  tileUrl: string | undefined;
  tileAttribution: string | undefined;
}

/** Paths the gateway answers otherwise: the console never shadows them, not even with its SPA fallback. */
const RESERVED = /^\/(api|auth|\.well-known|health|metrics)(\/|\?|$)/;
/** Vite's content-hashed output: a file name of word characters, dots and dashes, nothing else. */
const ASSET = /^\/assets\/([A-Za-z0-9_][A-Za-z0-9._-]{0,200})$/;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * Serves the built console at / (services/gateway's only static files): /assets/* cached for a
 * year (their names change with their content), index.html for / and every other client route
 * (never cached, so a new build is picked up at once), /console-config.json with what the
 * deployment configures at run time (a tile URL). /api, /auth, /.well-known, /health and
 * /metrics pass through untouched. Without a build, / answers 503 saying how to make one.
 */
export function consoleStatic(options: ConsoleOptions): Middleware {
  const csp = consoleCsp(options.tileUrl);
  const runtimeConfig = JSON.stringify({
    tileUrl: options.tileUrl ?? null,
    tileAttribution: options.tileAttribution ?? null,
  });
  const index = path.join(options.dir, 'index.html');
  return (req, res, next) => {
    const url = req.url ?? '/';
    if ((req.method !== 'GET' && req.method !== 'HEAD') || RESERVED.test(url)) {
      next();
      return;
    }
    const pathname = url.split('?')[0] ?? '/';
    res.setHeader('content-security-policy', csp);
    if (pathname === '/console-config.json') {
      send(res, req, 200, 'application/json; charset=utf-8', 'no-store', Buffer.from(runtimeConfig));
      return;
    }
    const asset = ASSET.exec(pathname);
    if (asset || pathname.startsWith('/assets/')) {
      const name = asset?.[1];
      const file = name ? path.join(options.dir, 'assets', name) : undefined;
      if (!file) {
        notFound(res, req);
        return;
      }
      stream(
        res,
        req,
        file,
        TYPES[path.extname(file)] ?? 'application/octet-stream',
        'public, max-age=31536000, immutable',
      );
      return;
    }
    // A client route (/worklist, /customers/...) is a browser's navigation, which asks for HTML;
    // anything else at a path nobody serves (an API client's typo) gets the JSON 404 of Nest.
    if (pathname !== '/' && !acceptsHtml(req)) {
      next();
      return;
    }
    // The app decides what a client route shows.
    fs.readFile(index, (err, html) => {
      if (err) {
        send(
          res,
          req,
          503,
          'text/plain; charset=utf-8',
          'no-store',
          Buffer.from(
            'The console is not built: run `npm run build -w services/console` (npm start does).\n',
          ),
        );
        return;
      }
      send(res, req, 200, 'text/html; charset=utf-8', 'no-cache', html);
    });
  };
}

function acceptsHtml(req: IncomingMessage): boolean {
  return /\btext\/html\b/i.test(req.headers.accept ?? '');
}

function send(
  res: ServerResponse,
  req: IncomingMessage,
  status: number,
  type: string,
  cache: string,
  body: Buffer,
): void {
  res.writeHead(status, { 'content-type': type, 'content-length': body.length, 'cache-control': cache });
  res.end(req.method === 'HEAD' ? undefined : body);
}

function notFound(res: ServerResponse, req: IncomingMessage): void {
  send(res, req, 404, 'text/plain; charset=utf-8', 'no-store', Buffer.from('Not found\n'));
}

function stream(res: ServerResponse, req: IncomingMessage, file: string, type: string, cache: string): void {
  fs.stat(file, (err, stat) => {
    if (err || !stat.isFile()) {
      notFound(res, req);
      return;
    }
    res.writeHead(200, {
      'content-type': type,
      'content-length': stat.size,
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const body = fs.createReadStream(file);
    body.once('error', () => res.destroy());
    body.pipe(res);
  });
}
