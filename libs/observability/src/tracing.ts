import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP endpoint (e.g. http://127.0.0.1:4318); without one (and no processors) tracing is off. */
  otlpEndpoint?: string;
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
}

/**
 * Starts OpenTelemetry for a service: W3C trace context, and spans for HTTP, Express and pg.
 * Kafka spans come from @duemap/messaging, which continues the trace stored with each outbox row
 * (auto-instrumented kafkajs would start a new trace at the relay; see docs/adr/0003).
 * Call it before anything imports http, express or pg: services do so in src/instrument.ts.
 */
export function startTracing(options: TracingOptions): NodeSDK | undefined {
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  // With nowhere to send spans, instrumentation (async-hooks context, patched http/express/pg)
  // costs CPU for nothing, and without a tracer provider the ids it carries are all zeros anyway.
  // Tracing is on exactly when an exporter or a processor is configured.
  if (!options.otlpEndpoint && processors.length === 0) return undefined;
  if (options.otlpEndpoint) {
    processors.push(
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces` }),
      ),
    );
  }
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName }),
    spanProcessors: processors,
    // Metrics are prom-client's (/metrics) and logs pino's; without these the SDK would default to
    // pushing both over OTLP to localhost, failing and retrying on every service.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? ''),
      }),
      new ExpressInstrumentation(),
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  return sdk;
}
