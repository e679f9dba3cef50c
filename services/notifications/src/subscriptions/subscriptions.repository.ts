import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { NotificationsErrorCode, NotificationsException } from '../common/notifications.exception';
import { WebhookDeliveryEntity, WebhookSubscriptionEntity } from './webhook-subscription.entity';

/** Reads and removals of subscriptions and their dead letters. */
@Injectable()
export class SubscriptionsRepository {
  constructor(
    @InjectRepository(WebhookSubscriptionEntity)
    private readonly subscriptions: Repository<WebhookSubscriptionEntity>,
    @InjectRepository(WebhookDeliveryEntity)
    private readonly deliveries: Repository<WebhookDeliveryEntity>,
  ) {}

  list(): Promise<WebhookSubscriptionEntity[]> {
    return this.subscriptions.find({ order: { createdAt: 'ASC', id: 'ASC' }, take: 1000 });
  }

  async get(id: string): Promise<WebhookSubscriptionEntity> {
    const found = await this.subscriptions.findOneBy({ id });
    if (found === null) throw notFound(id);
    return found;
  }

  /** Removes the subscription with everything still queued for it and its dead letters. */
  async delete(id: string): Promise<WebhookSubscriptionEntity> {
    const found = await this.get(id);
    await this.subscriptions.delete({ id });
    return found;
  }

  async deadLetters(id: string, limit = 500): Promise<WebhookDeliveryEntity[]> {
    await this.get(id);
    return this.deliveries.find({
      where: { subscriptionId: id, status: 'dead' },
      order: { deadAt: 'DESC', id: 'ASC' },
      take: limit,
    });
  }
}

export function notFound(id: string): NotificationsException {
  return new NotificationsException(NotificationsErrorCode.SubscriptionNotFound, `no subscription ${id}`, [
    { field: 'id', message: `no subscription ${id}` },
  ]);
}
