import type { Money, PlannedRoute } from '../api/types';

/** A CSV field: quoted when it holds a separator, quote or line break; a leading =+-@ is defused. */
export function csvField(value: string | number): string {
  let text = String(value);
  // Spreadsheets run a cell starting with = + - @ as a formula (CSV injection).
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const amounts = (money: readonly Money[]): string => money.map((m) => `${m.amount} ${m.currency}`).join('; ');

/** The planned route as CSV (UTF-8 with a BOM, so spreadsheet programs read Chinese names). */
export function routeCsv(route: PlannedRoute): string {
  const header = [
    'sequence',
    'customerId',
    'name',
    'status',
    'lat',
    'lng',
    'legKm',
    'cumulativeKm',
    'toCollect',
  ];
  const rows = route.stops.map((s) => [
    s.sequence,
    s.customerId,
    s.name,
    s.status,
    s.lat,
    s.lng,
    s.legKm,
    s.cumulativeKm,
    amounts(s.expected),
  ]);
  return `\uFEFF${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}
