import http, { type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { context, type Context } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { Counter, Histogram } from 'prom-client';
import { IDENTITY_HEADER } from '@duemap/auth';
import { isDenial, type Admission, type GatewayAccess } from '../access/gateway-access';
import type { GatewayConfig } from '../config';
import { Cors, parseOrigins } from './cors';
import { apiSecurityHeaders, downstreamResponseHeaders, upstreamRequestHeaders } from './forward-headers';
import { ownerOf, serviceUrls, type ServiceName } from './routes';

const API_PREFIX = '/api/v1';

/** `/api/v1`, `/api/v1/...` and `/api/v1?...`: the paths the forwarder answers, Express the rest. */
export function isApiPath(url: string): boolean {
  if (!url.startsWith(API_PREFIX)) return false;
  const next = url.charCodeAt(API_PREFIX.length);
  return Number.isNaN(next) || next === 0x2f /* / */ || next === 0x3f; /* ? */
}

// Module-level: the default registry refuses a second metric of one name, and the gateway is
// created more than once in a test process.
const answered = new Counter({
  name: 'duemap_gateway_requests_total',
  help: 'Requests to /api/v1 answered by the gateway, by owning service and status',
  labelNames: ['service', 'status'] as const,
});

// What admission costs each call: rate limits, authentication, the permission matrix and the
// identity signed for the services; bench:e2e reports it as the price of authentication.
const admissionSeconds = new Histogram({
  name: 'duemap_gateway_admission_seconds',
  help: 'Time the gateway took to admit or refuse a call to /api/v1, by outcome',
  labelNames: ['outcome'] as const,
  buckets: [
    0.00005, 0.0001, 0.0002, 0.0003, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.025,
    0.05, 0.1, 0.25, 1,
  ],
});

/** Methods a client may repeat without changing the outcome (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

interface Upstream {
  /** Looked up at call time: the http instrumentation replaces `request` on the module object. */
  transport: typeof http | typeof https;
  protocol: string;
  hostname: string;
  port: string;
  /** A path the service URL carries (`http://host/base`), put before the API path as http-proxy did. */
  basePath: string;
  agent: http.Agent;
}

// A body declared over the limit but under this many times it is drained after its 413.
const DRAIN_FACTOR = 8;

/** Bank statement uploads: the file is the body, streamed through under a limit of its own. */
const STATEMENT_UPLOAD = /^\/api\/v1\/bank-statements\/?(?:\?|$)/;

function sendError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  close = false,
  extra: Record<string, string> = {},
): void {
  const body = JSON.stringify({ error: { code, message, details: [] } });
  const headers: http.OutgoingHttpHeaders = {
    ...extra,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  };
  // A body left unread would otherwise be read to its end and thrown away to keep the connection.
  if (close) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

function errorCode(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.message;
}

/**
 * Forwards `/api/v1/<resource>/...` unchanged to the service that owns the resource, on node:http
 * alone: no Express router, no per-request logger, no proxy library, which cost ~8x a bare
 * node:http round trip per request. Admits the call first (GatewayAccess: rate limits,
 * authentication, the permission matrix) and signs the identity for the service; answers an unknown resource 404, a
 * body over MAX_BODY_BYTES (MAX_STATEMENT_BYTES for a bank statement upload) 413 (by Content-Length before reading, or while streaming a chunked
 * one), an unreachable service 502 and a silent one 504, all in the shared error shape; streams
 * bodies both ways with the service's status and headers.
 */
export class ApiForwarder {
  readonly maxBodyBytes: number;
  readonly maxStatementBytes: number;
  readonly timeoutMs: number;
  readonly log: Logger;
  readonly cors: Cors;
  /** apiSecurityHeaders for this configuration, on every answer to /api/v1. */
  readonly securityHeaders: readonly [string, string][];
  private readonly upstreams: Record<ServiceName, Upstream>;

  constructor(
    config: GatewayConfig,
    logger: Logger,
    private readonly access: GatewayAccess,
    /** Serves the resources the gateway owns itself (Express, with `req.admission` set). */
    private readonly local: (req: IncomingMessage, res: ServerResponse) => void,
  ) {
    this.maxBodyBytes = config.MAX_BODY_BYTES;
    this.maxStatementBytes = config.MAX_STATEMENT_BYTES;
    this.timeoutMs = config.UPSTREAM_TIMEOUT_MS;
    this.log = logger.child({ component: 'api-forwarder' });
    this.cors = new Cors(parseOrigins(config.CORS_ORIGINS));
    this.securityHeaders = apiSecurityHeaders(config.HSTS_MAX_AGE);
    const urls = serviceUrls(config);
    this.upstreams = {} as Record<ServiceName, Upstream>;
    for (const service of Object.keys(urls) as ServiceName[]) {
      const url = new URL(urls[service]);
      const secure = url.protocol === 'https:';
      // Idle sockets are dropped after 30 s, before the services' keep-alive (65 s) ends, so a
      // request rarely goes out on a socket the service is closing; the retry in Exchange covers
      // the rest (a restarted service). No socket limit: the services bound their own concurrency.
      const options: http.AgentOptions = { keepAlive: true, timeout: 30_000 };
      this.upstreams[service] = {
        transport: secure ? https : http,
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || (secure ? '443' : '80'),
        basePath: url.pathname.replace(/\/$/, ''),
        agent: secure ? new https.Agent(options) : new http.Agent(options),
      };
    }
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    // Only the gateway states who is calling; a client's own statement is dropped unread.
    delete req.headers[IDENTITY_HEADER];
    // A preflight carries no credentials: it is answered before admission and counts against nothing.
    if (this.cors.preflight(req, res)) return;
    const timer = admissionSeconds.startTimer();
    this.access.admit(req).then(
      (result) => {
        const refused = isDenial(result);
        timer({ outcome: refused ? 'refused' : 'admitted' });
        if (refused) {
          res.once('close', () => this.access.finished(req, res, undefined));
          this.answer(res, 'none', result.status, result.code, result.message, false, result.headers);
          return;
        }
        res.once('close', () => this.access.finished(req, res, result));
        this.forward(req, res, result);
      },
      (err: unknown) => {
        timer({ outcome: 'failed' });
        this.log.error({ err, method: req.method }, 'admission failed');
        res.once('close', () => this.access.finished(req, res, undefined));
        this.answer(res, 'none', 503, 'AUTH_UNAVAILABLE', 'the caller could not be checked; try again');
      },
    );
  }

  private forward(req: IncomingMessage, res: ServerResponse, admission: Admission): void {
    const url = req.url ?? '/';
    const owner = ownerOf(url);
    if (!owner) {
      const query = url.indexOf('?');
      this.answer(res, 'none', 404, 'NOT_FOUND', `no API at ${query < 0 ? url : url.slice(0, query)}`);
      return;
    }
    if (owner === 'gateway') {
      (req as IncomingMessage & { admission?: Admission }).admission = admission;
      this.local(req, res);
      return;
    }
    req.headers[IDENTITY_HEADER] = admission.signedIdentity;
    const limit = this.limitOf(req.method, url);
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > limit) {
      // A body up to a few times the (JSON) limit is read and dropped after the answer, keeping the
      // connection: closing on unread bytes resets the socket, and a client still writing its body
      // gets EPIPE instead of the 413. Beyond that, the connection is closed rather than read: a
      // 1 GB statement is answered at once and never read.
      this.tooLarge(res, owner, Number(length) > DRAIN_FACTOR * this.maxBodyBytes, limit);
      return;
    }
    new Exchange(this, req, res, owner, this.upstreams[owner], url, limit).start();
  }

  /** The body limit of a call: MAX_STATEMENT_BYTES for a bank statement upload, else MAX_BODY_BYTES. */
  limitOf(method: string | undefined, url: string): number {
    return method === 'POST' && STATEMENT_UPLOAD.test(url) ? this.maxStatementBytes : this.maxBodyBytes;
  }

  /** Answers with an error in the shared shape and counts it. */
  answer(
    res: ServerResponse,
    service: string,
    status: number,
    code: string,
    message: string,
    close = false,
    headers?: Record<string, string>,
  ): void {
    answered.inc({ service, status });
    const all = Object.fromEntries([...this.securityHeaders, ...this.cors.responseHeaders(res.req)]);
    sendError(res, status, code, message, close, { ...all, ...headers });
  }

  tooLarge(res: ServerResponse, service: string, close = true, limit = this.maxBodyBytes): void {
    const message = `request body is larger than ${limit} bytes`;
    this.answer(res, service, 413, 'PAYLOAD_TOO_LARGE', message, close);
  }

  count(service: string, status: number): void {
    answered.inc({ service, status });
  }

  /** Drops the idle upstream sockets; called once the server has closed. */
  close(): void {
    for (const upstream of Object.values(this.upstreams)) upstream.agent.destroy();
    this.access.close?.().catch((err: unknown) => this.log.warn({ err }, 'admission did not close'));
  }
}

/**
 * One call forwarded to a service and its answer streamed back. The body is pumped by hand rather
 * than piped: the same `data` handler counts bytes for the limit and keeps the chunks a retry
 * would resend, with no Transform stream in between.
 */
class Exchange {
  private upstream!: ClientRequest;
  private received = 0;
  private bodyEnded = false;
  /** The client has an answer started (the service's or ours): no error can be sent any more. */
  private answered = false;
  /** We gave up on the upstream request (timeout, client gone, body too large). */
  private abandoned = false;
  private retried = false;
  /**
   * Chunks already sent, kept by reference (bounded by MAX_BODY_BYTES) while a retry is allowed;
   * undefined when it is not, or once the service has answered.
   */
  private sent: Buffer[] | undefined;
  /** The incoming request's context, for a retry opened from a socket's error callback. */
  private trace: Context | undefined;

  constructor(
    private readonly forwarder: ApiForwarder,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly owner: ServiceName,
    private readonly target: Upstream,
    private readonly url: string,
    /** Most body bytes forwarded (MAX_BODY_BYTES, or MAX_STATEMENT_BYTES for a statement upload). */
    private readonly limit: number,
  ) {}

  start(): void {
    const retryable =
      IDEMPOTENT.has(this.req.method ?? '') || this.req.headers['idempotency-key'] !== undefined;
    // A retry resends the body from memory: only bodies bounded by the JSON limit are kept for it.
    if (retryable && this.limit <= this.forwarder.maxBodyBytes) {
      this.sent = [];
      this.trace = context.active();
    }
    // Opened synchronously in the server's request listener, i.e. inside the context the http
    // instrumentation set for the incoming request: the upstream span is its child and the
    // service receives its traceparent.
    this.upstream = this.open(this.target.agent);
    this.req.on('data', this.onData);
    this.req.on('end', this.onEnd);
    this.res.on('close', this.onClientClose);
  }

  private open(agent: http.Agent | false): ClientRequest {
    const { target, req } = this;
    const upstream = target.transport.request({
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: req.method,
      path: target.basePath + this.url,
      headers: upstreamRequestHeaders(req),
      agent,
    });
    // Socket inactivity, so a service that sends nothing (no headers, or a stalled body) is
    // given up on after UPSTREAM_TIMEOUT_MS.
    upstream.setTimeout(this.forwarder.timeoutMs, this.onTimeout);
    upstream.on('response', this.onResponse);
    upstream.on('error', this.onUpstreamError);
    return upstream;
  }

  private readonly onData = (chunk: Buffer): void => {
    if (this.abandoned) return;
    this.received += chunk.length;
    if (this.received > this.limit) {
      this.abandon();
      if (this.answered) this.res.destroy();
      else this.answerTooLarge();
      return;
    }
    this.sent?.push(chunk);
    if (!this.upstream.write(chunk)) {
      this.req.pause();
      this.upstream.once('drain', this.onDrain);
    }
  };

  private readonly onDrain = (): void => {
    this.req.resume();
  };

  private readonly onEnd = (): void => {
    this.bodyEnded = true;
    if (!this.abandoned) this.upstream.end();
  };

  private readonly onResponse = (response: IncomingMessage): void => {
    if (this.abandoned) {
      response.resume();
      return;
    }
    this.answered = true;
    this.sent = undefined;
    const status = response.statusCode ?? 502;
    this.res.writeHead(
      status,
      response.statusMessage || undefined,
      downstreamResponseHeaders(response.rawHeaders, [
        ...this.forwarder.securityHeaders,
        ...this.forwarder.cors.responseHeaders(this.req),
      ]),
    );
    // pipe() does not end the client's response when the service's is cut short: reset it, so
    // the client sees a broken answer rather than waiting for the rest.
    response.once('close', () => {
      if (!response.complete) this.res.destroy();
    });
    response.pipe(this.res);
    this.forwarder.count(this.owner, status);
    if (this.forwarder.log.isLevelEnabled('debug')) {
      this.forwarder.log.debug({ method: this.req.method, url: this.url, status }, 'forwarded');
    }
  };

  private readonly onUpstreamError = (err: Error): void => {
    if (this.abandoned || this.answered) return;
    const code = errorCode(err);
    if (this.mayRetry(code)) {
      this.retry();
      return;
    }
    this.abandoned = true;
    this.forwarder.log.warn(
      { service: this.owner, method: this.req.method, url: this.url, code },
      'no answer',
    );
    this.answered = true;
    this.forwarder.answer(
      this.res,
      this.owner,
      502,
      'UPSTREAM_UNAVAILABLE',
      `the service behind this path did not answer (${code})`,
    );
  };

  private readonly onTimeout = (): void => {
    if (this.abandoned) return;
    this.abandon();
    if (this.answered) {
      this.res.destroy();
      return;
    }
    this.forwarder.log.warn({ service: this.owner, method: this.req.method, url: this.url }, 'timed out');
    this.answered = true;
    this.forwarder.answer(
      this.res,
      this.owner,
      504,
      'UPSTREAM_TIMEOUT',
      `the service behind this path did not answer within ${this.forwarder.timeoutMs} ms`,
    );
  };

  /** The client went away before its answer was complete: the service's work is not wanted. */
  private readonly onClientClose = (): void => {
    if (!this.res.writableFinished) this.abandon();
  };

  private abandon(): void {
    this.abandoned = true;
    this.sent = undefined;
    this.upstream.destroy();
  }

  private answerTooLarge(): void {
    this.answered = true;
    this.forwarder.tooLarge(this.res, this.owner, true, this.limit);
  }

  /**
   * A kept-alive socket the service closed just as we reused it fails with ECONNRESET (or EPIPE
   * while writing) before any byte of an answer. Sent once more on a fresh socket, but only when
   * repeating is harmless: an idempotent method, or an Idempotency-Key the service deduplicates
   * by. A fresh socket failing is a real error, and is not retried.
   */
  private mayRetry(code: string): boolean {
    return (
      !this.retried &&
      this.sent !== undefined &&
      this.upstream.reusedSocket &&
      (code === 'ECONNRESET' || code === 'EPIPE')
    );
  }

  private retry(): void {
    this.retried = true;
    const sent = this.sent ?? [];
    const trace = this.trace ?? context.active();
    // agent false: a socket of its own, not another pooled one that may be as stale.
    this.upstream = context.with(trace, () => this.open(false));
    for (const chunk of sent) this.upstream.write(chunk);
    if (this.bodyEnded) this.upstream.end();
    // It may be paused waiting for the failed request's 'drain', which will not come.
    else this.req.resume();
  }
}
