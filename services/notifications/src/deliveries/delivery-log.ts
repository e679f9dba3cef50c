import { Inject, Injectable } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import { SERVICE_LOGGER } from '../common/logger';
import type { DeliveryStatus } from './delivery.entity';

export interface DeliveryStart {
  readonly reminderId: string;
  readonly invoiceId: string;
  readonly customerId: string;
  readonly level: number;
  readonly channel: string;
}

export interface DeliveryOutcome {
  readonly status: Exclude<DeliveryStatus, 'sending'>;
  readonly recipient?: string;
  readonly providerMessageId?: string;
  readonly providerResponse?: string;
  readonly error?: string;
  /** When the queue tries again (status retrying). */
  readonly nextAttemptAt?: Date;
}

const MAX_TEXT = 2000;
const clip = (text: string | undefined): string | null =>
  text === undefined ? null : text.slice(0, MAX_TEXT);

/**
 * Writes the delivery log, each change in a statement of its own, outside the reminder's
 * transactions: an attempt is recorded before the channel is called, its outcome after. Recording
 * an outcome never fails the send — a reminder that went out must not be retried because the log
 * could not be written (it is logged instead).
 */
@Injectable()
export class DeliveryLog {
  constructor(
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** A new attempt of the reminder's delivery; returns its number (1 for the first). */
  async begin(start: DeliveryStart, at: Date): Promise<number> {
    const rows: { attempts: number }[] = await this.dataSource.query(
      `INSERT INTO deliveries (id, reminder_id, invoice_id, customer_id, level, channel, status, attempts,
                               first_attempt_at, last_attempt_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'sending', 1, $7, $7)
       ON CONFLICT (reminder_id) DO UPDATE
         SET attempts = deliveries.attempts + 1, status = 'sending', channel = EXCLUDED.channel,
             last_attempt_at = EXCLUDED.last_attempt_at, next_attempt_at = NULL, updated_at = now()
       RETURNING attempts`,
      [randomUUID(), start.reminderId, start.invoiceId, start.customerId, start.level, start.channel, at],
    );
    return rows[0]?.attempts ?? 1;
  }

  async finish(reminderId: string, outcome: DeliveryOutcome): Promise<void> {
    try {
      await this.dataSource.query(
        `UPDATE deliveries
            SET status = $2, recipient = COALESCE($3, recipient), provider_message_id = $4,
                provider_response = COALESCE($5, provider_response), error = $6, next_attempt_at = $7,
                updated_at = now()
          WHERE reminder_id = $1`,
        [
          reminderId,
          outcome.status,
          clip(outcome.recipient),
          clip(outcome.providerMessageId),
          clip(outcome.providerResponse),
          clip(outcome.error),
          outcome.nextAttemptAt ?? null,
        ],
      );
    } catch (err) {
      this.logger.error({ err, reminderId, outcome }, 'delivery log not written');
    }
  }
}
