/**
 * Which calls to /api/v1 the audit trail records. Every change is recorded (any method but GET,
 * HEAD and OPTIONS), whatever its outcome: a refused attempt (401, 403) matters as much as a
 * successful one. Reads are recorded when they return personal data or security records: the path
 * prefixes below, matched on the path whether or not the call was admitted.
 */
export const AUDITED_READ_PREFIXES: readonly string[] = [
  // Names, tax ids, contacts, addresses (PIPL personal information).
  '/api/v1/customers',
  // Who read and changed what: reads of the trail are themselves recorded.
  '/api/v1/audit',
  // Which machine credentials exist and what they may do.
  '/api/v1/api-keys',
];

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

export function isAudited(method: string, url: string): boolean {
  if (!READ_METHODS.has(method)) return true;
  if (method === 'OPTIONS') return false;
  const path = pathOf(url);
  return AUDITED_READ_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}
