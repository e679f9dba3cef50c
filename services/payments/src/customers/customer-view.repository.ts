import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { CustomerViewEntity } from './customer-view.entity';

export interface CustomerSnapshot {
  customerId: string;
  name: string;
}

@Injectable()
export class CustomerViewRepository {
  find(em: EntityManager, customerId: string): Promise<CustomerViewEntity | null> {
    return em.getRepository(CustomerViewEntity).findOneBy({ customerId });
  }

  /**
   * Takes the customer's row lock for the rest of the transaction: payments of one customer are
   * decided one at a time, so two of them cannot both apply the same open amount.
   */
  async lock(em: EntityManager, customerId: string): Promise<boolean> {
    const rows: unknown[] = await em.query(
      'SELECT customer_id FROM customer_view WHERE customer_id = $1 FOR UPDATE',
      [customerId],
    );
    return rows.length > 0;
  }

  /** Stores a customer fetched over HTTP unless an event got there first (events are newer truth). */
  async insertFetched(em: EntityManager, snapshot: CustomerSnapshot): Promise<void> {
    await em.query(
      `INSERT INTO customer_view (customer_id, name, last_occurred_at, updated_at)
       VALUES ($1, $2, NULL, now())
       ON CONFLICT (customer_id) DO NOTHING`,
      [snapshot.customerId, snapshot.name],
    );
  }

  /**
   * Applies a customer-upserted snapshot unless a newer one was applied already. Equal times
   * apply too, so a redelivered or same-instant event simply overwrites.
   */
  async upsertFromEvent(em: EntityManager, snapshot: CustomerSnapshot, occurredAt: Date): Promise<void> {
    await em.query(
      `INSERT INTO customer_view AS c (customer_id, name, last_occurred_at, updated_at)
       VALUES ($1, $2, $3, now())
       ON CONFLICT (customer_id) DO UPDATE
         SET name = EXCLUDED.name, last_occurred_at = EXCLUDED.last_occurred_at, updated_at = now()
         WHERE c.last_occurred_at IS NULL OR c.last_occurred_at <= EXCLUDED.last_occurred_at`,
      [snapshot.customerId, snapshot.name, occurredAt],
    );
  }
}
