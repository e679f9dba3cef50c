import { Controller, Get, Inject, Optional, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
  type HealthCheckResult,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';
import { HealthCheckFilter } from './health-check.filter';
import {
  conditionsResult,
  READINESS_CONDITIONS,
  type ReadinessConditions,
} from './sampled-conditions.indicator';

/** Extra readiness checks a service contributes (e.g. its Kafka consumer is connected). */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
export const HEALTH_OPTIONS = Symbol('HEALTH_OPTIONS');

export interface HealthOptions {
  /** Ping the service's TypeORM DataSource on readiness. */
  database: boolean;
}

@ApiExcludeController()
@Controller('health')
@UseFilters(HealthCheckFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    @Inject(HEALTH_OPTIONS) private readonly options: HealthOptions,
    @Optional() private readonly db?: TypeOrmHealthIndicator,
    @Optional() @Inject(READINESS_CHECKS) private readonly extra: HealthIndicatorFunction[] = [],
    @Optional() @Inject(READINESS_CONDITIONS) private readonly sampled?: ReadinessConditions,
  ) {}

  /**
   * Readiness: 200 when every dependency answers and the event pipe moves, 503 naming what does
   * not (the database, a service's own checks, and the sampled conditions: outbox age, consumer
   * lag, dead letters).
   */
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check(this.checks());
  }

  /**
   * Liveness only: the process is up and its event loop turns. Nothing a restart cannot cure
   * belongs here — a stuck pipe or an absent broker would get the process killed over and over.
   */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  private checks(): HealthIndicatorFunction[] {
    const checks: HealthIndicatorFunction[] = [...this.extra];
    const { db, sampled } = this;
    if (this.options.database && db) checks.unshift(() => db.pingCheck('database', { timeout: 1500 }));
    if (sampled) checks.push(() => conditionsResult(this.indicator, sampled));
    return checks;
  }
}
