import { Injectable } from '@nestjs/common';
import type { EventPosition } from '@duemap/events';
import type { EntityManager } from 'typeorm';
import { customerNameIndexKeys } from '../cash-application/payer-names';
import { CustomerViewEntity } from './customer-view.entity';

export interface CustomerSnapshot {
  customerId: string;
  name: string;
}

/** A customer as a customer-upserted event described it, at its customer version and occurred_at. */
export interface CustomerEventSnapshot extends CustomerSnapshot, EventPosition {}

@Injectable()
export class CustomerViewRepository {
  find(em: EntityManager, customerId: string): Promise<CustomerViewEntity | null> {
    return em.getRepository(CustomerViewEntity).findOneBy({ customerId });
  }

  /** Stores a customer fetched over HTTP unless an event got there first (events are newer truth). */
  async insertFetched(em: EntityManager, snapshot: CustomerSnapshot): Promise<void> {
    await em.query(
      `INSERT INTO customer_view (customer_id, name, name_keys, last_occurred_at, updated_at)
       VALUES ($1, $2, $3, NULL, now())
       ON CONFLICT (customer_id) DO NOTHING`,
      [snapshot.customerId, snapshot.name, customerNameIndexKeys(snapshot.name)],
    );
  }

  /**
   * Applies customer-upserted snapshots (at most one per customer) unless a newer one was applied
   * already (by customer version, else by occurred_at: event_not_older). Ties apply too, so a
   * redelivered or same-instant event simply overwrites. Rows go in customer id order, so two
   * transactions lock them in the same order.
   */
  async upsertFromEvents(em: EntityManager, snapshots: readonly CustomerEventSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const sorted = [...snapshots].sort((a, b) =>
      a.customerId < b.customerId ? -1 : a.customerId > b.customerId ? 1 : 0,
    );
    await em.query(
      `INSERT INTO customer_view AS c (customer_id, name, name_keys, last_version, last_occurred_at, updated_at)
       SELECT u.customer_id, u.name, ARRAY(SELECT jsonb_array_elements_text(u.keys)), u.version, u.occurred_at, now()
         FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::jsonb[])
           AS u(customer_id, name, version, occurred_at, keys)
       ON CONFLICT (customer_id) DO UPDATE
         SET name = EXCLUDED.name, name_keys = EXCLUDED.name_keys, last_version = EXCLUDED.last_version,
             last_occurred_at = EXCLUDED.last_occurred_at, updated_at = now()
         WHERE event_not_older(EXCLUDED.last_version, EXCLUDED.last_occurred_at, c.last_version, c.last_occurred_at)`,
      [
        sorted.map((s) => s.customerId),
        sorted.map((s) => s.name),
        sorted.map((s) => s.version.toString()),
        sorted.map((s) => s.occurredAt.toISOString()),
        // One JSON array per customer: unnest of a text[][] would flatten the keys.
        sorted.map((s) => JSON.stringify(customerNameIndexKeys(s.name))),
      ],
    );
  }
}
