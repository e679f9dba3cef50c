import { Money, type MoneyJson } from '@duemap/money';
import type { Feature, Point } from 'geojson';
import type { GeocodePrecision } from '../geocoder/geocoding-provider';
import type { PinStatus, PinTier } from './customer-pin.entity';
import type { BalanceMinor, LocatedPin } from './pin.repository';

export type PinColors = Readonly<Record<PinStatus, string>>;

export interface CurrencyBalanceJson {
  outstanding: MoneyJson;
  overdue: MoneyJson;
}

/** A customer on the map. */
export interface PinProperties {
  customerId: string;
  name: string;
  status: PinStatus;
  color: string;
  tier: PinTier;
  /** The enterprise's credit grade, e.g. "A"; null when it has none. */
  creditGrade: string | null;
  /** Whole days since the customer became overdue; 0 when it is not overdue. */
  daysOverdue: number;
  /** What the customer owes when it owes in one currency; null when nothing or several (see balances). */
  outstanding: MoneyJson | null;
  overdue: MoneyJson | null;
  /** Every currency the customer has a balance in, by currency code. */
  balances: CurrencyBalanceJson[];
  precision: GeocodePrecision;
  source: string;
}

export type PinFeature = Feature<Point, PinProperties>;

export function pinFeature(pin: LocatedPin, colors: PinColors): PinFeature {
  const balances = pin.balances.map(balanceJson);
  const only = balances.length === 1 ? balances[0] : undefined;
  return {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [pin.lng, pin.lat] },
    properties: {
      customerId: pin.customerId,
      name: pin.name,
      status: pin.status,
      color: colors[pin.status],
      tier: pin.tier,
      creditGrade: pin.creditGrade,
      daysOverdue: pin.daysOverdue,
      outstanding: only?.outstanding ?? null,
      overdue: only?.overdue ?? null,
      balances,
      precision: pin.precision,
      source: pin.source,
    },
  };
}

export function balanceJson(b: BalanceMinor): CurrencyBalanceJson {
  return {
    outstanding: Money.fromMinor(b.outstanding, b.currency).toJSON(),
    overdue: Money.fromMinor(b.overdue, b.currency).toJSON(),
  };
}

// Most pressing first: a tie between colours shows the one a collector must act on.
const SEVERITY: readonly PinStatus[] = ['overdue', 'unpaid', 'paid'];

/** The status most pins of a group have; ties go to the more pressing one. */
export function dominantStatus(counts: Readonly<Record<PinStatus, number>>): PinStatus {
  let best: PinStatus = 'overdue';
  for (const status of SEVERITY) if (counts[status] > counts[best]) best = status;
  return best;
}
