import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectConfig } from '@duemap/config';
import type { GeocodingConfig } from '../../config';
import type { ListSort } from '../map-query';
import { balanceJson, type PinProperties } from '../pin-features';
import { PinRepository, type ListPage, type PinFilter } from '../pin.repository';
import { pinColors } from './get-map-customers.usecase';

export interface MapListQuery {
  filter: PinFilter;
  sort: ListSort;
  currency: string;
  limit: number;
  cursor?: string;
}

export type MapListItem = PinProperties & {
  lat: number;
  lng: number;
  countryCode: string | null;
  regionCode: string | null;
  region: string | null;
  city: string | null;
  /** sort=priority: days overdue × overdue minor units in the ranking currency (a decimal string). */
  priority: string | null;
};

export interface MapList {
  items: MapListItem[];
  nextCursor: string | null;
}

interface Cursor {
  id: string;
  p?: string;
}

/**
 * The located customers the map's filters keep, as a paged list: what the side list shows when
 * the view is all groups, and the collector's worklist (sort=priority). Limited to the caller's
 * territory like every map read.
 */
@Injectable()
export class GetMapListUseCase {
  constructor(
    private readonly pins: PinRepository,
    @InjectConfig() private readonly config: GeocodingConfig,
  ) {}

  async execute(query: MapListQuery): Promise<MapList> {
    const colors = pinColors(this.config);
    const after = cursorOf(query.cursor);
    const page: ListPage = {
      sort: query.sort,
      currency: query.currency,
      limit: query.limit + 1,
      ...(after
        ? { after: { customerId: after.id, ...(after.p !== undefined ? { priority: after.p } : {}) } }
        : {}),
    };
    const rows = await this.pins.listLocated(query.filter, page);
    const items = rows.slice(0, query.limit).map((pin): MapListItem => {
      const balances = pin.balances.map(balanceJson);
      const only = balances.length === 1 ? balances[0] : undefined;
      return {
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
        lat: pin.lat,
        lng: pin.lng,
        countryCode: pin.countryCode,
        regionCode: pin.regionCode,
        region: pin.regionName,
        city: pin.city,
        priority: pin.priority,
      };
    });
    const last = rows.length > query.limit ? rows[query.limit - 1] : undefined;
    return {
      items,
      nextCursor: last
        ? Buffer.from(
            JSON.stringify({ id: last.customerId, ...(last.priority !== null ? { p: last.priority } : {}) }),
          ).toString('base64url')
        : null,
    };
  }
}

/** The position a cursor stands for; one we did not hand out is a 400 naming it, never a 500. */
export function cursorOf(cursor: string | undefined): Cursor | undefined {
  if (cursor === undefined) return undefined;
  const message = 'cursor must be the nextCursor of a previous page';
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof parsed === 'object' && parsed !== null) {
      const { id, p } = parsed as Record<string, unknown>;
      const idOk = typeof id === 'string' && /^[\x21-\x7e]{1,200}$/.test(id);
      const pOk = p === undefined || (typeof p === 'string' && /^[0-9]{1,40}(\.[0-9]{1,20})?$/.test(p));
      if (idOk && pOk) return { id, ...(typeof p === 'string' ? { p } : {}) };
    }
  } catch {
    // not JSON: refused below
  }
  throw new BadRequestException({
    error: { code: 'VALIDATION_FAILED', message, details: [{ field: 'cursor', message }] },
  });
}
