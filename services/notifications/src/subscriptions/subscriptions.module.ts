import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SubscriptionsController } from './subscriptions.controller';
import { SubscriptionsRepository } from './subscriptions.repository';
import { CreateSubscriptionUseCase } from './usecases/create-subscription.usecase';
import { RedeliverDeadLettersUseCase } from './usecases/redeliver-dead-letters.usecase';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WebhookEventsConsumer } from './webhook-events.consumer';
import { WebhookDeliveryEntity, WebhookSubscriptionEntity } from './webhook-subscription.entity';

/** Webhook subscriptions of outside systems: the API, the event feed, the dispatcher. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookSubscriptionEntity, WebhookDeliveryEntity])],
  controllers: [SubscriptionsController],
  providers: [
    SubscriptionsRepository,
    CreateSubscriptionUseCase,
    RedeliverDeadLettersUseCase,
    WebhookDispatcher,
    WebhookEventsConsumer,
  ],
})
export class SubscriptionsModule {}
