import { ApiProperty } from '@nestjs/swagger';
import type { WebhookDeliveryEntity, WebhookSubscriptionEntity } from '../webhook-subscription.entity';

export class SubscriptionResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'https://erp.example.com/duemap/events' })
  url!: string;

  @ApiProperty({ type: [String], example: ['payments.payment-received.v1'] })
  eventTypes!: string[];

  @ApiProperty({ type: [String], description: "Only these customers' events; empty: every customer's." })
  customerIds!: string[];

  @ApiProperty()
  description!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  static of(s: WebhookSubscriptionEntity): SubscriptionResponseDto {
    return Object.assign(new SubscriptionResponseDto(), {
      id: s.id,
      url: s.url,
      eventTypes: s.eventTypes,
      customerIds: s.customerIds,
      description: s.description,
      createdAt: s.createdAt.toISOString(),
    });
  }
}

export class CreatedSubscriptionResponseDto extends SubscriptionResponseDto {
  @ApiProperty({ description: 'The signing secret: shown here once, never again.' })
  secret!: string;

  static created(s: WebhookSubscriptionEntity): CreatedSubscriptionResponseDto {
    return Object.assign(new CreatedSubscriptionResponseDto(), SubscriptionResponseDto.of(s), {
      secret: s.secret,
    });
  }
}

export class DeadLetterResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The delivery id (for redeliver).' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The event id (the Duemap-Webhook-Id header).' })
  eventId!: string;

  @ApiProperty({ example: 'payments.payment-received.v1' })
  eventType!: string;

  @ApiProperty({ format: 'uuid' })
  customerId!: string;

  @ApiProperty({ example: 8 })
  attempts!: number;

  @ApiProperty({
    nullable: true,
    type: Number,
    description: "The subscriber's last HTTP status; null: no answer.",
  })
  lastStatus!: number | null;

  @ApiProperty({ nullable: true, type: String })
  lastError!: string | null;

  @ApiProperty({ format: 'date-time' })
  occurredAt!: string;

  @ApiProperty({ format: 'date-time' })
  deadAt!: string;

  static of(d: WebhookDeliveryEntity): DeadLetterResponseDto {
    return Object.assign(new DeadLetterResponseDto(), {
      id: d.id,
      eventId: d.eventId,
      eventType: d.eventType,
      customerId: d.customerId,
      attempts: d.attempts,
      lastStatus: d.lastStatus,
      lastError: d.lastError,
      occurredAt: d.occurredAt.toISOString(),
      deadAt: (d.deadAt ?? d.createdAt).toISOString(),
    });
  }
}

export class RedeliveredResponseDto {
  @ApiProperty({ description: 'Dead letters queued again.', example: 3 })
  redelivered!: number;
}
