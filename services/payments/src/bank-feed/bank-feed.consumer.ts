import { Injectable } from '@nestjs/common';
import { bankPaymentsSchema, IngestionTopic, type BankPaymentRecord } from '@duemap/events';
import {
  EventSubscriberProvider,
  ingestionTopic,
  subscribeBatch,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { Counter, register, type Metric } from 'prom-client';
import { IngestBankPaymentsUseCase, type FeedOutcome } from './usecases/ingest-bank-payments.usecase';

function metric<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** Records stored by outcome; those refused (DLQ) never get here, the consumer counts them. */
const recordsIn = metric('duemap_bank_feed_records_total', () => {
  const counter = new Counter({
    name: 'duemap_bank_feed_records_total',
    help:
      'bank.payments.v1 records stored, by outcome: candidate (a new booked credit for cash application), ' +
      'duplicate (a transaction recognised from before), not_candidate (debit, reversal, not booked, zero); ' +
      'invalid records are duemap_consumer_messages_total{topic="bank.payments.v1",outcome="dead_lettered"}',
    labelNames: ['outcome'],
  });
  for (const outcome of ['candidate', 'duplicate', 'not_candidate']) counter.inc({ outcome }, 0);
  return counter;
});

function count(outcome: FeedOutcome): void {
  recordsIn.inc({ outcome: 'candidate' }, outcome.candidates);
  recordsIn.inc({ outcome: 'duplicate' }, outcome.duplicates);
  recordsIn.inc({ outcome: 'not_candidate' }, outcome.notCandidates);
}

/**
 * bank.payments.v1: JSON records banks and bank connectors write, validated against the published
 * schema (libs/events/schemas/bank.payments.v1.schema.json) before they get here; a record that
 * breaks it is on bank.payments.v1.dlq with the field named. All records of a consumer transaction
 * become one feed statement.
 */
@Injectable()
@EventSubscriberProvider()
export class BankFeedConsumer implements EventSubscriber {
  constructor(private readonly ingest: IngestBankPaymentsUseCase) {}

  subscriptions(): Subscription[] {
    const topic = ingestionTopic<BankPaymentRecord>(IngestionTopic.BankPayments, bankPaymentsSchema);
    return [
      subscribeBatch(topic, async (items, { em, scope }) => {
        const outcome = await this.ingest.execute(
          em,
          items.map(({ event, ctx }) => ({
            record: event,
            topic: ctx.topic,
            partition: ctx.partition,
            offset: ctx.offset,
          })),
        );
        // Counted once committed: a batch rolled back and replayed record by record counts once.
        scope.onCommit(() => count(outcome));
      }),
    ];
  }
}
