// First import of main.ts: tracing must patch http, express and pg before they load.
import { startTracing } from '@duemap/observability/tracing';

startTracing({ serviceName: 'invoicing', otlpEndpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT });
