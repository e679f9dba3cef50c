import { ApiProperty } from '@nestjs/swagger';
import { REMINDER_STATUSES, type ReminderStatus } from '../../reminder-policy/plan-reminders';
import type { ReminderChannelName, ReminderEntity } from '../reminder.entity';

export class ReminderResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  invoiceId!: string;

  @ApiProperty({ format: 'uuid' })
  customerId!: string;

  @ApiProperty({ description: 'Dunning level, 1 for the first step of the policy.', example: 1 })
  level!: number;

  @ApiProperty({
    description: 'Days from the due date the step is defined at (negative = before).',
    example: -3,
  })
  offsetDays!: number;

  @ApiProperty({ format: 'date-time', description: "When it goes out: 09:00 in the customer's time zone." })
  scheduledFor!: string;

  @ApiProperty({ enum: REMINDER_STATUSES })
  status!: ReminderStatus;

  @ApiProperty({ enum: ['email', 'sms', 'webhook'] })
  channel!: ReminderChannelName;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  sentAt!: string | null;

  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  cancelledAt!: string | null;

  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Why it was cancelled (invoice_paid, invoice_voided, due_date_changed, policy_changed, delivery_failed), skipped (time_passed) or unconfirmed (delivery_unconfirmed: whether it reached the customer is not known).',
  })
  reason!: string | null;

  static of(r: ReminderEntity): ReminderResponseDto {
    return {
      id: r.id,
      invoiceId: r.invoiceId,
      customerId: r.customerId,
      level: r.level,
      offsetDays: r.offsetDays,
      scheduledFor: r.scheduledFor.toISOString(),
      status: r.status,
      channel: r.channel,
      sentAt: r.sentAt?.toISOString() ?? null,
      cancelledAt: r.cancelledAt?.toISOString() ?? null,
      reason: r.reason,
    };
  }
}
