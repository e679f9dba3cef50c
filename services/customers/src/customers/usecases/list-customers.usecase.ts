import { Injectable } from '@nestjs/common';
import { namedBinder, territoryPredicate, type Territory } from '@duemap/auth';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In } from 'typeorm';
import {
  CustomerEntity,
  CustomerSourceEntity,
  type ArStatusName,
  type LocationStateName,
} from '../customer.entity';
import { CustomerRecords, LOCATION_STATES, type CustomerView } from '../customer-record';
import { CustomersErrorCode, CustomersException } from '../customers.exception';
import { isUuid } from './get-customer.usecase';

export interface ListCustomersQuery {
  statuses?: ArStatusName[];
  /** Location states (not_located: the addresses to fix). */
  locationStates?: LocationStateName[];
  /** Matches name, tax id or a source's external id (substring, case-insensitive). */
  q?: string;
  /** A country code ("CN") or a province ("广东省"). */
  region?: string;
  limit: number;
  cursor?: string;
  /** The caller's territory (territoryOf): customers outside it are left out; undefined = all. */
  territory?: Territory;
}

export interface CustomerPage {
  items: CustomerView[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** Keyset position: the (name, id) of the last item of a page, opaque to clients. */
export function encodeCursor(name: string, id: string): string {
  return Buffer.from(JSON.stringify([name, id]), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { name: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      isUuid(value[1])
    ) {
      return { name: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new CustomersException(CustomersErrorCode.InvalidQuery, 'cursor is not one this API returned', [
    { field: 'cursor', message: 'cursor is not one this API returned' },
  ]);
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Customers ordered by name then id, filtered, one keyset page at a time. */
@Injectable()
export class ListCustomersUseCase {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly records: CustomerRecords,
  ) {}

  async execute(query: ListCustomersQuery): Promise<CustomerPage> {
    const qb = this.dataSource.getRepository(CustomerEntity).createQueryBuilder('c');
    const inside: Record<string, unknown> = {};
    qb.where(
      territoryPredicate(
        query.territory,
        {
          customerId: 'c.id',
          country: 'c.country',
          provinceKey: 'c.province_key',
          salesTerritory: 'c.sales_territory',
        },
        namedBinder(inside),
      ),
      inside,
    );
    if (query.statuses !== undefined && query.statuses.length > 0) {
      qb.andWhere('c.ar_status IN (:...statuses)', { statuses: query.statuses });
    }
    if (query.locationStates !== undefined && query.locationStates.length > 0) {
      // Literals from our own list, not parameters: the worklist index is partial (state not
      // located), and PostgreSQL proves a query may use it only from constants; a generic plan of a
      // prepared statement with a parameter reads the name index and filters every located row.
      const wanted = new Set(query.locationStates);
      const states = LOCATION_STATES.filter((s) => wanted.has(s));
      qb.andWhere(
        states.length === 0 ? 'false' : `c.location_state IN (${states.map((s) => `'${s}'`).join(', ')})`,
      );
    }
    if (query.region !== undefined) {
      qb.andWhere('(c.country = :country OR lower(c.province) = lower(:region))', {
        country: query.region.toUpperCase(),
        region: query.region,
      });
    }
    if (query.q !== undefined) {
      qb.andWhere(
        `(c.name ILIKE :like OR c.tax_id ILIKE :taxLike OR EXISTS (
           SELECT 1 FROM customer_sources s WHERE s.customer_id = c.id AND s.external_id ILIKE :like))`,
        { like: likePattern(query.q), taxLike: likePattern(query.q.replace(/\s+/g, '')) },
      );
    }
    if (query.cursor !== undefined) {
      const after = decodeCursor(query.cursor);
      qb.andWhere('(c.name, c.id) > (:afterName, :afterId)', { afterName: after.name, afterId: after.id });
    }
    const rows = await qb
      .orderBy('c.name', 'ASC')
      .addOrderBy('c.id', 'ASC')
      .limit(query.limit + 1)
      .getMany();
    const page = rows.slice(0, query.limit);
    const sources =
      page.length === 0
        ? []
        : await this.dataSource
            .getRepository(CustomerSourceEntity)
            .findBy({ customerId: In(page.map((r) => r.id)) });
    const last = page[page.length - 1];
    return {
      items: page.map((row) =>
        this.records.toView(
          row,
          sources.filter((s) => s.customerId === row.id),
        ),
      ),
      nextCursor: rows.length > query.limit && last !== undefined ? encodeCursor(last.name, last.id) : null,
    };
  }
}
