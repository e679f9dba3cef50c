import { Agent } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import type { GatewayConfig } from '../config';
import { ownerOf, serviceUrls } from './routes';

function sendError(res: Response, status: number, code: string, message: string): void {
  if (res.headersSent) return;
  res.status(status).json({ error: { code, message, details: [] } });
}

/**
 * Forwards `/api/v1/<resource>/...` unchanged to the owning service, streaming bodies both ways.
 * Refuses oversized bodies before reading them (413) and answers an unreachable service with
 * 502 in the shared error shape.
 */
export function apiProxy(config: GatewayConfig): RequestHandler {
  const upstreams = serviceUrls(config);
  // Without an agent http-proxy sends `Connection: close`: a TCP connect and close per request on
  // both sides. Idle sockets are dropped after 30 s, before the services' keep-alive (65 s) ends,
  // so a request never goes out on a socket the service is closing.
  const agent = new Agent({ keepAlive: true, timeout: 30_000 });
  const proxy = createProxyMiddleware<Request, Response>({
    agent,
    router: (req) => {
      const owner = ownerOf(req.originalUrl);
      return owner ? upstreams[owner] : undefined;
    },
    pathRewrite: (_path, req) => req.originalUrl,
    changeOrigin: false,
    xfwd: true,
    proxyTimeout: config.UPSTREAM_TIMEOUT_MS,
    timeout: config.UPSTREAM_TIMEOUT_MS,
    on: {
      error: (err, _req, res) => {
        const code = (err as NodeJS.ErrnoException).code;
        const response = res as Response;
        if (code === 'ECONNRESET' && response.headersSent) return;
        if (typeof response.status === 'function') {
          sendError(
            response,
            502,
            'UPSTREAM_UNAVAILABLE',
            `the service behind this path did not answer (${code ?? err.message})`,
          );
        }
      },
    },
  });
  return (req: Request, res: Response, next: NextFunction) => {
    if (!ownerOf(req.originalUrl)) {
      sendError(res, 404, 'NOT_FOUND', `no API at ${req.path}`);
      return;
    }
    const length = Number(req.headers['content-length'] ?? 0);
    if (length > config.MAX_BODY_BYTES) {
      sendError(res, 413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${config.MAX_BODY_BYTES} bytes`);
      return;
    }
    void proxy(req, res, next);
  };
}
