import { trace } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';
import { REDACTED, REDACTED_BINDING_PATHS, redactDeep } from './redact';

export interface LoggerOptions {
  service: string;
  level?: LevelWithSilent;
  /** Where lines go; stdout by default. */
  destination?: DestinationStream;
}

/**
 * JSON logs with the service name and, inside a span, its trace and span ids. Credentials and
 * personal data are redacted wherever they appear in a logged object or a child's bindings
 * (redact.ts: authorization, cookies, API keys, the identity header, passwords, tokens, secrets,
 * keys, tax ids, phones, e-mails, contacts, street lines, postcodes).
 */
export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redactDeep(bindings) as pino.Bindings,
      log: (object) => redactDeep(object) as Record<string, unknown>,
    },
    redact: { paths: [...REDACTED_BINDING_PATHS], censor: REDACTED },
    mixin() {
      const span = trace.getActiveSpan();
      if (!span) return {};
      const { traceId, spanId } = span.spanContext();
      return { trace_id: traceId, span_id: spanId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * What request logging (pino-http) writes about a request and its response: enough to find it in
 * a trace or a client's report (id, method, path, caller, status) and not its headers. Headers
 * carry credentials (Authorization, cookies) that must not reach the logs, and pino-http binds the
 * request to a child logger per request, so every header would be JSON-encoded for every request.
 */
export const httpLogSerializers = {
  req: (req: pino.SerializedRequest) => ({
    id: req.id as unknown,
    method: req.method,
    url: req.url,
    remoteAddress: req.remoteAddress,
  }),
  res: (res: pino.SerializedResponse) => ({ statusCode: res.statusCode }),
};
