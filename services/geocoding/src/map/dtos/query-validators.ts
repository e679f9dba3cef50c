import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import type { Parsed } from '../map-query';

/**
 * A class-validator decorator from one of the map-query parsers, so the 400 says what the parser
 * says ("bbox must have minLat <= maxLat"). The pipe puts the field name in front.
 */
export function ParsesWith(parse: (raw: string) => Parsed<unknown>, options?: ValidationOptions) {
  return (target: object, propertyName: string): void => {
    registerDecorator({
      name: 'parsesWith',
      target: target.constructor,
      propertyName,
      ...(options ? { options } : {}),
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parse(value).ok,
        defaultMessage: (args: ValidationArguments) => {
          if (typeof args.value !== 'string') return `${args.property} must be given once, as text`;
          const parsed = parse(args.value);
          return `${args.property} ${parsed.ok ? 'is invalid' : parsed.problem}`;
        },
      },
    });
  };
}
