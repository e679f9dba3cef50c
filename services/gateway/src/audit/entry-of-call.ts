import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, isSpanContextValid, trace, type Context } from '@opentelemetry/api';
import { matchOperation, type Identity, type MatchedOperation } from '@duemap/auth';
import type { AuditEntry } from './audit-chain';

/** Recorded when the client went away before any answer was sent (nginx's convention). */
export const CLIENT_CLOSED_REQUEST = 499;

const MAX_TEXT = 512;

/**
 * Postgres text cannot hold NUL, and a header is the caller's to fill: cut to a bound and
 * stripped, so what is hashed is exactly what is stored.
 */
function text(value: string | undefined | null, max = MAX_TEXT): string | null {
  if (value === undefined || value === null) return null;
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/\u0000/g, '');
  return clean.length > max ? clean.slice(0, max) : clean;
}

function toMicros(date: Date): string {
  return date.toISOString().replace('Z', '000Z');
}

/**
 * The client's address: the socket's peer; or, behind `trustedProxies` proxies of our own, the
 * address the outermost of them saw (counted from the right of X-Forwarded-For, since every entry
 * left of what our proxies appended is whatever the client chose to send).
 */
export function clientAddress(req: IncomingMessage, trustedProxies: number): string | null {
  const peer = req.socket.remoteAddress ?? null;
  if (trustedProxies <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const raw = Array.isArray(header) ? header.join(',') : header;
  if (!raw) return peer;
  const hops = raw
    .split(',')
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (hops.length === 0) return peer;
  return hops[Math.max(0, hops.length - trustedProxies)] ?? peer;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The trace of the call: the active span's (the http instrumentation runs the response's listeners
 * in the request's context). With tracing off there is no span; the caller's own traceparent, if
 * any, still ties the entry to the caller's logs.
 */
export function traceIdOf(req: IncomingMessage, active: Context = context.active()): string | null {
  const span = trace.getSpanContext(active);
  if (span && isSpanContextValid(span)) return span.traceId;
  const header = req.headers.traceparent;
  const match = typeof header === 'string' ? TRACEPARENT.exec(header.trim()) : null;
  const id = match?.[1];
  return id && id !== '0'.repeat(32) ? id : null;
}

export interface CallFacts {
  req: IncomingMessage;
  res: ServerResponse;
  /** Who the gateway established (admitted, or authenticated and refused); undefined: anonymous. */
  identity: Identity | undefined;
  /** The matched operation of an admitted call; matched here from the path for a refused one. */
  operation: MatchedOperation | undefined;
  trustedProxies: number;
  now?: Date;
}

export function entryOfCall(facts: CallFacts): AuditEntry {
  const { req, res, identity } = facts;
  const method = req.method ?? 'GET';
  const operation = facts.operation ?? matchOperation(method, req.url ?? '/');
  return {
    at: toMicros(facts.now ?? new Date()),
    subject: text(identity?.subject) ?? 'anonymous',
    kind: identity?.kind ?? 'anonymous',
    keyId: text(identity?.keyId),
    roles: identity ? [...identity.roles] : [],
    method: text(method, 16) ?? 'GET',
    operation: operation?.key ?? null,
    resource: Object.fromEntries(
      Object.entries(operation?.params ?? {}).map(([key, value]) => [key, text(value) ?? '']),
    ),
    status: res.headersSent ? res.statusCode : CLIENT_CLOSED_REQUEST,
    address: text(clientAddress(req, facts.trustedProxies), 64),
    userAgent: text(req.headers['user-agent']),
    traceId: traceIdOf(req),
  };
}
