import {
  BadRequestException,
  ValidationPipe,
  type ArgumentMetadata,
  type ValidationError,
} from '@nestjs/common';
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

/** The path of the first string holding a NUL character, or undefined. */
export function nulCharacterPath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = nulCharacterPath(item, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = nulCharacterPath(item, path ? `${path}.${key}` : key);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * PostgreSQL text cannot hold a NUL character: a value with one would fail its statement (a 500)
 * wherever it reaches the database, so every body, query and path value is refused with a 400
 * naming the field before validation.
 */
class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const found = nulCharacterPath(value);
    if (found !== undefined) {
      const field = found || metadata.data || metadata.type;
      throw new BadRequestException({
        error: {
          code: 'VALIDATION_FAILED',
          message: `${field} must not contain a NUL character`,
          details: [{ field, message: `${field} must not contain a NUL character` }],
        },
      });
    }
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/**
 * Request DTOs are validated strictly: unknown properties are refused (a typo must not be silently
 * dropped), nothing is coerced, no string holds a NUL character, and the 400 names every bad field.
 */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
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
