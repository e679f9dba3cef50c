import { Catch, ServiceUnavailableException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

/**
 * Keeps @nestjs/terminus's 503 body (`{status: 'error', info, error, details}`: what is down and
 * why) on /health. Without it a service's global error filter (libs/http ApiExceptionFilter) would
 * answer the API's generic `{error: {code: 'ERROR', message: 'Service Unavailable Exception'}}` and
 * the reason would be lost. Scoped to the health controller, so it takes precedence there only.
 */
@Catch(ServiceUnavailableException)
export class HealthCheckFilter implements ExceptionFilter {
  catch(exception: ServiceUnavailableException, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(exception.getStatus()).json(exception.getResponse());
  }
}
