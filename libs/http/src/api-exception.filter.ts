import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { isMoneyError } from '@duemap/money';
import type { Response } from 'express';
import { DomainException, type ErrorDetail } from './domain.exception';

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
};

/**
 * body-parser's errors carry `status` and `type` rather than being HttpExceptions (Nest maps only
 * its JSON SyntaxError to a BadRequestException).
 */
interface BodyParserError {
  status?: number;
  statusCode?: number;
  type?: string;
  message: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  return typeof err === 'object' && err !== null && typeof (err as BodyParserError).type === 'string';
}

/**
 * The one place where errors become HTTP answers, the same in every service:
 * typed domain exceptions, validation failures (400 with one detail per field), money parsing
 * (422 naming the field), oversized or malformed bodies (413/400), and anything else as a 500
 * that is logged with its stack but does not leak it.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const [status, body] = this.toBody(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    res.status(status).json(body);
  }

  toBody(exception: unknown): [number, ErrorBody] {
    if (exception instanceof DomainException) {
      const { status, code, message, details } = exception as DomainException;
      return [status, body(code, message, details)];
    }
    if (isMoneyError(exception)) {
      return [
        HttpStatus.UNPROCESSABLE_ENTITY,
        body(exception.code, exception.message, [{ field: exception.field, message: exception.message }]),
      ];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (typeof response === 'object' && response !== null && 'error' in response) {
        const given = (response as Partial<ErrorBody>).error;
        if (given && typeof given === 'object' && typeof given.code === 'string') {
          return [status, body(given.code, given.message ?? exception.message, given.details ?? [])];
        }
      }
      return [status, body(CODE_BY_STATUS[status] ?? 'ERROR', exception.message, [])];
    }
    if (isBodyParserError(exception)) {
      const status = exception.status ?? exception.statusCode ?? 400;
      if (exception.type === 'entity.too.large') {
        return [413, body('PAYLOAD_TOO_LARGE', 'request body is larger than the limit', [])];
      }
      return [status, body(CODE_BY_STATUS[status] ?? 'BAD_REQUEST', exception.message, [])];
    }
    return [500, body('INTERNAL', 'internal error', [])];
  }
}

function body(code: string, message: string, details: ErrorDetail[]): ErrorBody {
  return { error: { code, message, details } };
}
