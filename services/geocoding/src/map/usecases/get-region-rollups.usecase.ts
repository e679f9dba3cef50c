import { Injectable } from '@nestjs/common';
import type { Territory } from '@duemap/auth';
import { Money, type MoneyJson } from '@duemap/money';
import type { PinStatus } from '../customer-pin.entity';
import { PinRepository, type RollupCounts, type RollupLevel } from '../pin.repository';

export interface RegionRollupsQuery {
  level: RollupLevel;
  /** Only regions of this country (ISO 3166-1 alpha-2). */
  countryCode?: string;
  statuses?: PinStatus[];
  /** The caller's territory: only its customers are counted and summed; undefined = all. */
  territory?: Territory;
}

export interface RegionRollup {
  /**
   * "CN" for a country, "CN-30" for a province (GeoNames admin1 code), "CN-?" for pins located only
   * to the country; "CN-30/广州市" for a city, "CN-30/广州市/440106" for a district and
   * "CN-30/广州市/?" for the city's customers located no finer than the city.
   */
  key: string;
  countryCode: string;
  regionCode: string | null;
  /** At city and district level. */
  city: string | null;
  /** At district level: the GB/T 2260 code, null for customers located no finer than the city. */
  districtCode: string | null;
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

/** Count, status mix and outstanding / overdue amounts per country, province/state, city or district. */
@Injectable()
export class GetRegionRollupsUseCase {
  constructor(private readonly pins: PinRepository) {}

  async execute(query: RegionRollupsQuery): Promise<RegionRollups> {
    const filter = {
      ...(query.countryCode ? { countryCode: query.countryCode } : {}),
      ...(query.statuses ? { statuses: query.statuses } : {}),
      ...(query.territory ? { territory: query.territory } : {}),
    };
    // Without a territory the pre-aggregated roll-ups answer (they lag pin changes by the grid's
    // drain interval); a territory's customers are only known pin by pin.
    const aggregated = query.territory === undefined;
    const [counts, sums, unlocated] = await Promise.all([
      aggregated
        ? this.pins.aggregatedRollupCounts(query.level, filter)
        : this.pins.rollupCounts(query.level, filter),
      aggregated
        ? this.pins.aggregatedRollupSums(query.level, filter)
        : this.pins.rollupSums(query.level, filter),
      this.pins.countUnlocated(query.territory),
    ]);
    const keyOf = (r: {
      countryCode: string;
      regionCode: string | null;
      city: string | null;
      districtCode: string | null;
    }): string => {
      if (query.level === 'country') return r.countryCode;
      const province = `${r.countryCode}-${r.regionCode ?? '?'}`;
      if (query.level === 'province') return province;
      const city = `${province}/${r.city ?? '?'}`;
      return query.level === 'city' ? city : `${city}/${r.districtCode ?? '?'}`;
    };
    const regions = new Map<string, RegionRollup>();
    for (const c of counts) {
      const key = keyOf(c);
      regions.set(key, {
        key,
        countryCode: c.countryCode,
        regionCode: c.regionCode,
        city: c.city,
        districtCode: c.districtCode,
        name: nameOf(query.level, c),
        count: c.total,
        counts: { paid: c.paid, unpaid: c.unpaid, overdue: c.overdue },
        center: { lat: c.lat, lng: c.lng },
        outstanding: [],
        overdue: [],
      });
    }
    for (const s of sums) {
      const region = regions.get(keyOf(s));
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

function nameOf(level: RollupLevel, c: RollupCounts): string {
  const country = countryName(c.countryCode);
  if (level === 'country') return country;
  const region = c.regionName ?? `${country} (region unknown)`;
  if (level === 'province') return region;
  const city = c.city ?? `${region} (city unknown)`;
  if (level === 'city') return city;
  return c.districtName ?? `${city} (district unknown)`;
}

function countryName(code: string): string {
  try {
    return countryNames.of(code) ?? code;
  } catch {
    return code;
  }
}
