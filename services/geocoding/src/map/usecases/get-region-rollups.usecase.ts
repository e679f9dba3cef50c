import { Injectable } from '@nestjs/common';
import type { Territory } from '@duemap/auth';
import { Money, type MoneyJson } from '@duemap/money';
import type { PinStatus } from '../customer-pin.entity';
import { PinRepository, type RollupLevel } from '../pin.repository';

export interface RegionRollupsQuery {
  level: RollupLevel;
  /** Only regions of this country (ISO 3166-1 alpha-2). */
  countryCode?: string;
  statuses?: PinStatus[];
  /** The caller's territory: only its customers are counted and summed; undefined = all. */
  territory?: Territory;
}

export interface RegionRollup {
  /** "CN" for a country, "CN-30" for a province (GeoNames admin1 code), "CN-?" for pins located only to the country. */
  key: string;
  countryCode: string;
  regionCode: string | null;
  name: string;
  count: number;
  counts: Record<PinStatus, number>;
  /** Mean position of its pins, where a roll-up bubble can go. */
  center: { lat: number; lng: number };
  /** Sums per currency, by currency code: never added across currencies. */
  outstanding: MoneyJson[];
  overdue: MoneyJson[];
}

export interface RegionRollups {
  level: RollupLevel;
  regions: RegionRollup[];
  /** Customers without a location (not yet geocoded, or their address could not be located). */
  unlocated: number;
}

const countryNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** Count, status mix and outstanding / overdue amounts per country or per province/state. */
@Injectable()
export class GetRegionRollupsUseCase {
  constructor(private readonly pins: PinRepository) {}

  async execute(query: RegionRollupsQuery): Promise<RegionRollups> {
    const filter = {
      ...(query.countryCode ? { countryCode: query.countryCode } : {}),
      ...(query.statuses ? { statuses: query.statuses } : {}),
      ...(query.territory ? { territory: query.territory } : {}),
    };
    const [counts, sums, unlocated] = await Promise.all([
      this.pins.rollupCounts(query.level, filter),
      this.pins.rollupSums(query.level, filter),
      this.pins.countUnlocated(query.territory),
    ]);
    const keyOf = (countryCode: string, regionCode: string | null): string =>
      query.level === 'country' ? countryCode : `${countryCode}-${regionCode ?? '?'}`;
    const regions = new Map<string, RegionRollup>();
    for (const c of counts) {
      const key = keyOf(c.countryCode, c.regionCode);
      const country = countryName(c.countryCode);
      regions.set(key, {
        key,
        countryCode: c.countryCode,
        regionCode: c.regionCode,
        name: query.level === 'country' ? country : (c.regionName ?? `${country} (region unknown)`),
        count: c.total,
        counts: { paid: c.paid, unpaid: c.unpaid, overdue: c.overdue },
        center: { lat: c.lat, lng: c.lng },
        outstanding: [],
        overdue: [],
      });
    }
    for (const s of sums) {
      const region = regions.get(keyOf(s.countryCode, s.regionCode));
      if (!region) continue;
      region.outstanding.push(Money.fromMinor(s.outstanding, s.currency).toJSON());
      region.overdue.push(Money.fromMinor(s.overdue, s.currency).toJSON());
    }
    return {
      level: query.level,
      regions: [...regions.values()].sort(
        (a, b) =>
          b.count - a.count ||
          Number(a.regionCode === null) - Number(b.regionCode === null) ||
          a.key.localeCompare(b.key),
      ),
      unlocated,
    };
  }
}

function countryName(code: string): string {
  try {
    return countryNames.of(code) ?? code;
  } catch {
    return code;
  }
}
