import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ReminderStatus } from '../reminder-policy/plan-reminders';

/** Where a policy step sends its reminder (the contract's ReminderChannel). */
export type ReminderChannelName = 'email' | 'sms' | 'webhook';

/** One dunning step of one invoice, from planning to sent / cancelled (or skipped). */
@Entity({ name: 'reminders' })
export class ReminderEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'invoice_id', type: 'text' })
  invoiceId!: string;

  @Column({ name: 'customer_id', type: 'text' })
  customerId!: string;

  @Column({ name: 'policy_id', type: 'text' })
  policyId!: string;

  @Column({ type: 'int' })
  level!: number;

  @Column({ name: 'offset_days', type: 'int' })
  offsetDays!: number;

  @Column({ name: 'scheduled_for', type: 'timestamptz' })
  scheduledFor!: Date;

  @Column({ type: 'text' })
  status!: ReminderStatus;

  @Column({ type: 'text' })
  channel!: ReminderChannelName;

  /** Why it was cancelled or skipped (snake case, e.g. invoice_paid); null otherwise. */
  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;

  @Column({ name: 'cancelled_at', type: 'timestamptz', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'channel_message_id', type: 'text', nullable: true })
  channelMessageId!: string | null;

  /** The claim of the attempt sending it (status sending); only that attempt records the outcome. */
  @Column({ name: 'attempt_id', type: 'uuid', nullable: true })
  attemptId!: string | null;

  /** When that attempt claimed it: a claim older than twice the send timeout has expired. */
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  /** scheduled_for of the job known to be in Redis; see the migration. */
  @Column({ name: 'job_enqueued_for', type: 'timestamptz', nullable: true })
  jobEnqueuedFor!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
