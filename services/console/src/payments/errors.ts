import type { TFunction } from 'i18next';
import { ApiError } from '../api/http';

/**
 * An API refusal as a person reads it: the fields the API named with its words, the conflicts
 * (someone decided the payment meanwhile) in the console's own words, else the API's message.
 */
export function describeError(error: unknown, t: TFunction): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const known = t(`payments.errors.${error.code}`, { defaultValue: '' });
  const fields = error.details.map((d) => t('payments.errors.field', { field: d.field, message: d.message }));
  const head = known !== '' ? known : error.message;
  return [head, ...fields].join(' · ') + ` (${error.status} ${error.code})`;
}
