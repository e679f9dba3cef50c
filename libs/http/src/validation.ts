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
    // A required field that is absent fails every rule it has ("must be a string", "must be shorter
    // than …"): what the caller needs to hear is only that it is missing. (Optional fields are not
    // validated when absent, so an absent value here is always a required one.)
    const missing = e.value === undefined && e.constraints !== undefined;
    const own = missing
      ? [{ field, message: `${field} is required` }]
      : Object.values(e.constraints ?? {}).map((message) => ({
          field,
          // class-validator starts with the property ("x must be …", "property x should not
          // exist"); the caller gets the whole path instead.
          message: message.startsWith(`${e.property} `)
            ? `${field}${message.slice(e.property.length)}`
            : message.replace(`property ${e.property} `, `property ${field} `),
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
