import { isValidCalendarDate } from '@duemap/events';
import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

export function isCalendarDateString(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (match === null) return false;
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  return isValidCalendarDate(year, month, day);
}

/** A real calendar date written YYYY-MM-DD (no time, no zone): '2025-02-30' is refused. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: String(propertyName),
      options: { message: '$property must be a calendar date written YYYY-MM-DD', ...options },
      validator: { validate: (value: unknown) => isCalendarDateString(value) },
    });
}

/** This date is the same as or later than the date in `property` (checked only when both are dates). */
export function IsNotBefore(property: string, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isNotBefore',
      target: target.constructor,
      propertyName: String(propertyName),
      constraints: [property],
      options: { message: `$property must not be before ${property}`, ...options },
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const other = (args.object as Record<string, unknown>)[property];
          if (!isCalendarDateString(value) || !isCalendarDateString(other)) return true;
          return value >= other;
        },
      },
    });
}
