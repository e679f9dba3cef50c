// First import of main.ts: tracing must patch http and express before they load. The gateway's
// outgoing proxy requests carry the trace on to the services (traceparent header).
import { startTracing } from '@duemap/observability/tracing';

startTracing({ serviceName: 'gateway', otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT });
