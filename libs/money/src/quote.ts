/** Long inputs are cut so that one hostile request cannot flood logs through an error message. */
export function quote(value: string, max = 40): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

/** Names what arrived instead of a string, e.g. "number 1.5" for a float from a JSON body. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `string ${quote(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (typeof value === 'bigint') return `bigint ${value.toString()}n`;
  return typeof value;
}
