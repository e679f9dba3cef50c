import { BadRequestException, Injectable } from '@nestjs/common';
import { customerTerritoryFilter, positionalBinder, type Territory } from '@duemap/auth';
import { DataSource } from 'typeorm';
import { NOT_LOCATED_REASONS, type NotLocatedReason, type UnlocatedCustomerDto } from './unlocated.dto';

export interface UnlocatedQuery {
  territory?: Territory;
  limit: number;
  /** Exclusive: the last customer id of the previous page. */
  after?: string;
}

export interface UnlocatedPage {
  items: UnlocatedCustomerDto[];
  nextCursor: string | null;
}

interface Row {
  customer_id: string;
  name: string;
  geocode_state: string | null;
  geocode_failure: string | null;
  country_code: string | null;
  region_name: string | null;
  city: string | null;
  geocoded_at: Date | null;
}

/**
 * The map's side list: customers without a pin and why (the geocode-failed reason stored on the
 * pin; NOT_GEOCODED when no address event came yet), in customer id order, limited to the
 * caller's territory like every map read.
 */
@Injectable()
export class GetUnlocatedUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(query: UnlocatedQuery): Promise<UnlocatedPage> {
    const params: unknown[] = [];
    const bind = positionalBinder(params);
    const inside = customerTerritoryFilter(query.territory, 'p.customer_id', bind);
    const after = query.after === undefined ? 'TRUE' : `p.customer_id > ${bind(query.after)}`;
    const rows = await this.dataSource.query<Row[]>(
      `SELECT p.customer_id, p.name, p.geocode_state, p.geocode_failure, p.country_code, p.region_name,
              p.city, p.geocoded_at
         FROM customer_pins p
        WHERE p.latitude IS NULL AND ${after} AND ${inside}
        ORDER BY p.customer_id
        LIMIT ${bind(query.limit + 1)}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({
        customerId: r.customer_id,
        name: r.name,
        reason: reasonOf(r),
        countryCode: r.country_code,
        region: r.region_name,
        city: r.city,
        geocodedAt: r.geocoded_at ? r.geocoded_at.toISOString() : null,
      })),
      nextCursor:
        rows.length > query.limit && last ? Buffer.from(last.customer_id).toString('base64url') : null,
    };
  }
}

function reasonOf(row: Row): NotLocatedReason {
  if (row.geocode_state !== 'failed' || !row.geocode_failure) return 'NOT_GEOCODED';
  const reason = row.geocode_failure.toUpperCase();
  return (NOT_LOCATED_REASONS as readonly string[]).includes(reason)
    ? (reason as NotLocatedReason)
    : 'NO_MATCH';
}

/**
 * The customer id a cursor stands for. A cursor we did not hand out can decode to anything (NUL
 * bytes, which PostgreSQL refuses with an error): only printable ids are taken, else a 400.
 */
export function afterOf(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const after = Buffer.from(cursor, 'base64url').toString('utf8');
  if (/^[\x21-\x7e]{1,200}$/.test(after)) return after;
  const message = 'cursor must be the nextCursor of a previous page';
  throw new BadRequestException({
    error: { code: 'VALIDATION_FAILED', message, details: [{ field: 'cursor', message }] },
  });
}
