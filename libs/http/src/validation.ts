import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { ErrorDetail } from './domain.exception';

/** Flattens class-validator's tree into one detail per field path (`allocations[1].amount`). */
export function validationDetails(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const field = parent
      ? /^\d+$/.test(e.property)
        ? `${parent}[${e.property}]`
        : `${parent}.${e.property}`
      : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(/^\S+ /, `${field} `),
    }));
    return [...own, ...validationDetails(e.children ?? [], field)];
  });
}

/**
 * Request DTOs are validated strictly: unknown properties are refused (a typo must not be silently
 * dropped), nothing is coerced, and the 400 names every bad field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const details = validationDetails(errors);
      return new BadRequestException({
        error: {
          code: 'VALIDATION_FAILED',
          message: details.map((d) => d.message).join('; ') || 'invalid request',
          details,
        },
      });
    },
  });
}
