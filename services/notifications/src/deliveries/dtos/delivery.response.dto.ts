import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_STATUSES, type DeliveryEntity, type DeliveryStatus } from '../delivery.entity';

export class DeliveryResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  reminderId!: string;

  @ApiProperty({ format: 'uuid' })
  invoiceId!: string;

  @ApiProperty({ format: 'uuid' })
  customerId!: string;

  @ApiProperty({ example: 2 })
  level!: number;

  @ApiProperty({ description: 'The transport: email, sms, webhook or log.', example: 'email' })
  channel!: string;

  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Email addresses, a phone number or a URL.',
    example: 'ap@example.com',
  })
  recipient!: string | null;

  @ApiProperty({
    enum: DELIVERY_STATUSES,
    description:
      'sending; retrying (the last attempt failed, next at nextAttemptAt); sent (the channel accepted it); ' +
      'failed (refused for good or out of attempts, never sent again); unconfirmed (timed out on a channel ' +
      'that cannot be asked twice).',
  })
  status!: DeliveryStatus;

  @ApiProperty({ example: 1 })
  attempts!: number;

  @ApiProperty({ nullable: true, type: String, description: 'SMTP Message-ID, SMS provider id...' })
  providerMessageId!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description: "The provider's last answer.",
    example: '250 OK',
  })
  providerResponse!: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Why the last attempt failed.' })
  error!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  nextAttemptAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  firstAttemptAt!: string;

  @ApiProperty({ format: 'date-time' })
  lastAttemptAt!: string;

  static of(d: DeliveryEntity): DeliveryResponseDto {
    return Object.assign(new DeliveryResponseDto(), {
      id: d.id,
      reminderId: d.reminderId,
      invoiceId: d.invoiceId,
      customerId: d.customerId,
      level: d.level,
      channel: d.channel,
      recipient: d.recipient,
      status: d.status,
      attempts: d.attempts,
      providerMessageId: d.providerMessageId,
      providerResponse: d.providerResponse,
      error: d.error,
      nextAttemptAt: d.nextAttemptAt?.toISOString() ?? null,
      firstAttemptAt: d.firstAttemptAt.toISOString(),
      lastAttemptAt: d.lastAttemptAt.toISOString(),
    });
  }
}
