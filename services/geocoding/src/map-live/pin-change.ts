import type { PinStatus } from '../map/customer-pin.entity';

/**
 * What the console's map needs to recolour (or move) one pin without asking for the view again:
 * the pin as geocoding's projection holds it after a status change was applied.
 */
export interface PinChange {
  customerId: string;
  status: PinStatus;
  /** The configured colour of the status (MAP_COLOR_*), as GET /api/v1/map/customers gives it. */
  color: string;
  /** null while the customer has no location (it is on the "not located" list). */
  lat: number | null;
  lng: number | null;
  /** The customer version of the status shown: a client keeps the newest per customer. */
  version: string;
}

/** A pin change as the map projection row and the customer's placement hold it. */
export interface PinRow {
  customerId: string;
  status: PinStatus;
  statusVersion: bigint;
  lat: number | null;
  lng: number | null;
  country: string;
  provinceKey: string;
  salesTerritory: string;
}

/** One server-sent event (`event: pin`), its data on one line (JSON never holds a raw newline). */
export function pinFrame(change: PinChange): string {
  return `event: pin\ndata: ${JSON.stringify(change)}\n\n`;
}
