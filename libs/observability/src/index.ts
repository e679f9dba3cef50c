export * from './logger';
export * from './tracing';
export * from './observability.module';
export { HealthController, READINESS_CHECKS, type HealthOptions } from './health/health.controller';
export {
  conditionsResult,
  READINESS_CONDITIONS,
  type ReadinessCondition,
  type ReadinessConditions,
} from './health/sampled-conditions.indicator';
export { MetricsController } from './metrics/metrics.controller';
export * from './database/statement-metrics.logger';
export * from './profiling';
export { isRedactedField, redactDeep, REDACTED } from './redact';
