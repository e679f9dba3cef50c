import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { isUuid, type SourceRef } from '../invoices/invoice.model';
import { CustomerEntity, CustomerSourceEntity } from './customer.entity';

export interface KnownCustomer {
  id: string;
  timeZone: string;
  /** occurred_at of the last customer-upserted applied; null for a row from the HTTP API. */
  lastEventAt: Date | null;
  /** Its customer_version; 0 when it had none (or there was none). */
  lastEventVersion: bigint;
}

// saveSources: $1 the customer, $2/$3 the sources' systems and external ids.
const LISTED_SOURCES = `WITH listed AS (
  SELECT DISTINCT s.source_system, s.external_id
  FROM unnest($2::text[], $3::text[]) AS s(source_system, external_id))`;
const DROP_UNLISTED = `dropped AS (
  DELETE FROM customer_sources c WHERE c.customer_id = $1
  AND NOT EXISTS (SELECT 1 FROM listed s
                  WHERE s.source_system = c.source_system AND s.external_id = c.external_id))`;
const UPSERT_LISTED = `INSERT INTO customer_sources (source_system, external_id, customer_id)
  SELECT s.source_system, s.external_id, $1::uuid FROM listed s
  ON CONFLICT (source_system, external_id) DO UPDATE SET customer_id = EXCLUDED.customer_id`;

/** The customer read model. Methods take the caller's EntityManager. */
@Injectable()
export class CustomerRepository {
  async findById(
    em: EntityManager,
    id: string,
    options: { lock?: boolean } = {},
  ): Promise<KnownCustomer | null> {
    if (!isUuid(id)) return null;
    const row = await em.getRepository(CustomerEntity).findOne({
      where: { id: id.toLowerCase() },
      ...(options.lock === true ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    return row === null
      ? null
      : {
          id: row.id,
          timeZone: row.timeZone,
          lastEventAt: row.lastEventAt,
          lastEventVersion: BigInt(row.lastEventVersion),
        };
  }

  async findBySource(em: EntityManager, source: SourceRef): Promise<KnownCustomer | null> {
    const mapping = await em.getRepository(CustomerSourceEntity).findOne({
      where: { sourceSystem: source.sourceSystem, externalId: source.externalId },
    });
    return mapping === null ? null : this.findById(em, mapping.customerId);
  }

  /**
   * Many customers in one statement, by Duemap id and by source record (an ERP batch names
   * hundreds): the ids found, and the sources mapped to a known customer, keyed `system\u0000id`.
   */
  async findMany(
    em: EntityManager,
    ids: readonly string[],
    sources: readonly SourceRef[],
  ): Promise<{ byId: Map<string, KnownCustomer>; bySource: Map<string, KnownCustomer> }> {
    const rows = await em.query<
      {
        id: string;
        timeZone: string;
        lastEventAt: Date | null;
        lastEventVersion: string;
        system: string | null;
        externalId: string | null;
      }[]
    >(
      `SELECT c.id, c.time_zone AS "timeZone", c.last_event_at AS "lastEventAt",
              c.last_event_version::text AS "lastEventVersion", NULL::text AS system, NULL::text AS "externalId"
       FROM customers c WHERE c.id = ANY($1::uuid[])
       UNION ALL
       SELECT c.id, c.time_zone, c.last_event_at, c.last_event_version::text, s.source_system, s.external_id
       FROM unnest($2::text[], $3::text[]) AS k(source_system, external_id)
       JOIN customer_sources s ON s.source_system = k.source_system AND s.external_id = k.external_id
       JOIN customers c ON c.id = s.customer_id`,
      [
        ids.filter(isUuid).map((id) => id.toLowerCase()),
        sources.map((s) => s.sourceSystem),
        sources.map((s) => s.externalId),
      ],
    );
    const byId = new Map<string, KnownCustomer>();
    const bySource = new Map<string, KnownCustomer>();
    for (const row of rows) {
      const known: KnownCustomer = {
        id: row.id,
        timeZone: row.timeZone,
        lastEventAt: row.lastEventAt,
        lastEventVersion: BigInt(row.lastEventVersion),
      };
      if (row.system === null || row.externalId === null) byId.set(row.id, known);
      else bySource.set(`${row.system}\u0000${row.externalId}`, known);
    }
    return { byId, bySource };
  }

  /**
   * Writes the customer's row. `lastEventAt` null (from the HTTP API) only fills a missing row,
   * so it never overwrites what an event said.
   */
  async save(em: EntityManager, customer: KnownCustomer): Promise<void> {
    if (customer.lastEventAt === null) {
      await em.query(
        `INSERT INTO customers (id, time_zone, last_event_at) VALUES ($1, $2, NULL) ON CONFLICT (id) DO NOTHING`,
        [customer.id, customer.timeZone],
      );
      return;
    }
    await em.query(
      `INSERT INTO customers (id, time_zone, last_event_at, last_event_version) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE
       SET time_zone = EXCLUDED.time_zone, last_event_at = EXCLUDED.last_event_at,
           last_event_version = EXCLUDED.last_event_version, updated_at = now()`,
      [customer.id, customer.timeZone, customer.lastEventAt, customer.lastEventVersion.toString()],
    );
  }

  /**
   * Makes `sources` the customer's mappings. A source another customer held moves to this one
   * (customers merges records by tax id); with `replace`, mappings no longer listed are dropped.
   */
  async saveSources(
    em: EntityManager,
    customerId: string,
    sources: readonly SourceRef[],
    replace: boolean,
  ): Promise<void> {
    if (!replace && sources.length === 0) return;
    // One statement either way: with `replace` it also drops the mappings no longer listed. The
    // delete and the upsert touch different keys, so their order within it does not matter.
    await em.query(
      replace ? `${LISTED_SOURCES}, ${DROP_UNLISTED} ${UPSERT_LISTED}` : `${LISTED_SOURCES} ${UPSERT_LISTED}`,
      [customerId, sources.map((s) => s.sourceSystem), sources.map((s) => s.externalId)],
    );
  }
}
