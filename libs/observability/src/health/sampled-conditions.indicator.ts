import type { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** A readiness condition judged from state sampled in the background, never by I/O per request. */
export interface ReadinessCondition {
  /** Its key in /health's body, e.g. "outbox". */
  key: string;
  healthy: boolean;
  /** Why it is not healthy: terminus's `message`, as the database check has. */
  message?: string;
  /** Figures shown beside the status (no `status` key: terminus reserves it). */
  details: Record<string, unknown>;
}

/** A provider whose conditions /health reports (the messaging lib's PipeMonitor is one). */
export interface ReadinessConditions {
  conditions(): readonly ReadinessCondition[];
}

/** Token of the ReadinessConditions provider /health reads, if the app has one. */
export const READINESS_CONDITIONS = Symbol('READINESS_CONDITIONS');

/**
 * The conditions in @nestjs/terminus's format, one key each: `{status: 'up', ...details}` or
 * `{status: 'down', message, ...details}`; any key down makes /health answer 503 with it under
 * `error`.
 */
export function conditionsResult(
  indicator: HealthIndicatorService,
  source: ReadinessConditions,
): HealthIndicatorResult {
  const result: HealthIndicatorResult = {};
  for (const { key, healthy, message, details } of source.conditions()) {
    const check = indicator.check(key);
    Object.assign(result, healthy ? check.up(details) : check.down({ message, ...details }));
  }
  return result;
}
