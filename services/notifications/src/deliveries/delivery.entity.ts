import { Column, Entity, PrimaryColumn } from 'typeorm';

export const DELIVERY_STATUSES = ['sending', 'retrying', 'sent', 'failed', 'unconfirmed'] as const;
/**
 * sending: an attempt is under way; retrying: the last attempt failed and the queue tries again at
 * next_attempt_at; sent: the channel accepted it; failed: refused for good (a hard failure, or the
 * last attempt failed) and never sent again; unconfirmed: an attempt timed out on a channel that
 * cannot be asked twice, so whether it arrived is for a person to check.
 */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One reminder handed to a channel: the delivery log. */
@Entity({ name: 'deliveries' })
export class DeliveryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'reminder_id', type: 'uuid' })
  reminderId!: string;

  @Column({ name: 'invoice_id', type: 'text' })
  invoiceId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ type: 'int' })
  level!: number;

  /** The transport it went to: email, sms, webhook or log. */
  @Column({ type: 'text' })
  channel!: string;

  /** Addresses, a phone number or a URL; null until a channel named them. */
  @Column({ type: 'text', nullable: true })
  recipient!: string | null;

  @Column({ type: 'text' })
  status!: DeliveryStatus;

  @Column({ type: 'int' })
  attempts!: number;

  @Column({ name: 'provider_message_id', type: 'text', nullable: true })
  providerMessageId!: string | null;

  /** The provider's last answer (SMTP reply, SMS provider answer). */
  @Column({ name: 'provider_response', type: 'text', nullable: true })
  providerResponse!: string | null;

  /** Why the last attempt failed. */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'first_attempt_at', type: 'timestamptz' })
  firstAttemptAt!: Date;

  @Column({ name: 'last_attempt_at', type: 'timestamptz' })
  lastAttemptAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
