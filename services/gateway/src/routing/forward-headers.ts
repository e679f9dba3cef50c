import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';

/**
 * Headers about one connection rather than the message (RFC 9110 §7.6.1): each hop sets its own,
 * so they are forwarded in neither direction. `proxy-*` covers proxy-authorization,
 * proxy-authenticate and the non-standard proxy-connection.
 */
function isHopByHop(name: string): boolean {
  switch (name) {
    case 'connection':
    case 'keep-alive':
    case 'te':
    case 'trailer':
    case 'transfer-encoding':
    case 'upgrade':
      return true;
    default:
      return name.startsWith('proxy-');
  }
}

/**
 * The extra header names a sender marked hop-by-hop by listing them in `Connection`; undefined in
 * the usual case (`keep-alive`, `close` or none), so most messages pay for no split.
 */
function listedInConnection(connection: string | undefined): string[] | undefined {
  if (connection === undefined || connection === 'keep-alive' || connection === 'close') return undefined;
  return connection.split(',').map((token) => token.trim().toLowerCase());
}

function append(headers: OutgoingHttpHeaders, name: string, value: string): void {
  const previous = headers[name];
  headers[name] = previous === undefined || previous === '' ? value : `${String(previous)},${value}`;
}

/**
 * What the service receives: the caller's headers minus the hop-by-hop ones, plus the
 * `x-forwarded-*` set that http-proxy's `xfwd` added (for, port and proto appended to what a caller
 * sent, host kept if given). `Host` stays the caller's.
 */
export function upstreamRequestHeaders(req: IncomingMessage): OutgoingHttpHeaders {
  const incoming = req.headers;
  const listed = listedInConnection(incoming.connection);
  const headers: OutgoingHttpHeaders = {};
  for (const name of Object.keys(incoming)) {
    // node:http has already answered `Expect: 100-continue` to the caller (no checkContinue
    // listener); passing it on would only make the service send a 100 nobody waits for.
    if (isHopByHop(name) || name === 'expect' || listed?.includes(name)) continue;
    headers[name] = incoming[name];
  }
  // node:http removed the caller's chunked framing; a body of unknown length is chunked again on
  // the way out. Saying so explicitly matters for GET and DELETE, which node:http would otherwise
  // send unframed.
  if (incoming['transfer-encoding'] !== undefined) headers['transfer-encoding'] = 'chunked';
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true;
  append(headers, 'x-forwarded-for', req.socket.remoteAddress ?? '');
  append(headers, 'x-forwarded-port', portOf(incoming.host, encrypted));
  append(headers, 'x-forwarded-proto', encrypted ? 'https' : 'http');
  headers['x-forwarded-host'] ??= incoming.host ?? '';
  return headers;
}

function portOf(host: string | undefined, encrypted: boolean): string {
  const match = host === undefined ? null : /:(\d+)$/.exec(host);
  return match?.[1] ?? (encrypted ? '443' : '80');
}

/**
 * Headers every /api/v1 answer carries (JSON for programs, never a page to render, frame or
 * cache): no content sniffing, no referrer, no framing, nothing loaded if a browser renders it
 * anyway, not stored by caches (answers carry receivables and personal data). HSTS only when the
 * gateway is configured as served over https (HSTS_MAX_AGE > 0).
 */
export function apiSecurityHeaders(hstsMaxAge = 0): [string, string][] {
  const headers: [string, string][] = [
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', 'no-referrer'],
    ['x-frame-options', 'DENY'],
    ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
    ['cache-control', 'no-store'],
  ];
  if (hstsMaxAge > 0) headers.push(['strict-transport-security', `max-age=${hstsMaxAge}; includeSubDomains`]);
  return headers;
}

/**
 * What the caller receives: the service's headers as sent (case and repeats kept, `Set-Cookie`
 * included) minus the hop-by-hop ones, plus each of `extra` (apiSecurityHeaders, CORS) the service
 * did not send itself, as the flat `[name, value, ...]` list `writeHead` takes. node:http then
 * frames the body for the caller's connection itself.
 */
export function downstreamResponseHeaders(
  rawHeaders: readonly string[],
  extra: readonly (readonly [string, string])[] = [],
): string[] {
  let listed: string[] | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'connection') listed = listedInConnection(rawHeaders[i + 1]);
  }
  const headers: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] ?? '';
    const lower = name.toLowerCase();
    if (isHopByHop(lower) || listed?.includes(lower)) continue;
    headers.push(name, rawHeaders[i + 1] ?? '');
  }
  for (const [name, value] of extra) {
    if (!sent(rawHeaders, name)) headers.push(name, value);
  }
  return headers;
}

function sent(rawHeaders: readonly string[], lowerName: string): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === lowerName) return true;
  }
  return false;
}
