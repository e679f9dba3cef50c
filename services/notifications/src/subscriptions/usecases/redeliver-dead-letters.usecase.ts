import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { SubscriptionsRepository } from '../subscriptions.repository';
import { WebhookDispatcher } from '../webhook-dispatcher';

/**
 * Puts a subscription's dead letters (all, or those named) back in its queue with fresh attempts,
 * due now; the dispatcher is woken. Returns how many.
 */
@Injectable()
export class RedeliverDeadLettersUseCase {
  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    private readonly subscriptions: SubscriptionsRepository,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async execute(subscriptionId: string, deliveryIds?: readonly string[]): Promise<number> {
    await this.subscriptions.get(subscriptionId);
    const [, count]: [unknown, number] = await this.dataSource.query(
      `UPDATE webhook_deliveries
          SET status = 'pending', attempts = 0, next_attempt_at = now(), lease_until = NULL, dead_at = NULL
        WHERE subscription_id = $1 AND status = 'dead' AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))`,
      [subscriptionId, deliveryIds ?? null],
    );
    if (count > 0) this.dispatcher.wake();
    return count;
  }
}
