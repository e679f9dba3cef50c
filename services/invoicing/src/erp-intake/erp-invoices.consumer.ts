import { Injectable } from '@nestjs/common';
import { erpInvoicesSchema, IngestionTopic, type ErpInvoiceRecord } from '@duemap/events';
import {
  EventSubscriberProvider,
  FatalEventError,
  ingestionTopic,
  subscribeBatch,
  type EventSubscriber,
  type Subscription,
} from '@duemap/messaging';
import { Counter, register, type Metric } from 'prom-client';
import { UpsertInvoiceUseCase, type BatchUpsertOutcome } from '../invoices/usecases/upsert-invoice.usecase';
import { recordPointerOf, upsertInputOf } from './erp-invoice-input';

function metric<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const ERP_INVOICE_OUTCOMES = ['created', 'updated', 'unchanged', 'stale'] as const;

/** Records applied by outcome; refused ones (DLQ) never get here, the consumer counts them. */
const recordsIn = metric('duemap_erp_invoice_records_total', () => {
  const counter = new Counter({
    name: 'duemap_erp_invoice_records_total',
    help:
      'erp.invoices.v1 records applied, by outcome: created (invoice-issued), updated (invoice-changed), ' +
      'unchanged (nothing new), stale (a lower sourceVersion than the one held, ignored); refused records are ' +
      'duemap_consumer_messages_total{topic="erp.invoices.v1",outcome="dead_lettered"}',
    labelNames: ['outcome'],
  });
  for (const outcome of ERP_INVOICE_OUTCOMES) counter.inc({ outcome }, 0);
  return counter;
});

/**
 * erp.invoices.v1: JSON invoices from ERPs, validated against the published schema
 * (libs/events/schemas/erp.invoices.v1.schema.json) before they get here. A consumer transaction's
 * records go through UpsertInvoiceUseCase.executeBatch together, the REST upsert's rules in a few
 * statements. A record the rules refuse fails the batch with FatalEventError naming its field: the
 * consumer rolls the batch back and replays it record by record, so that record alone lands on
 * erp.invoices.v1.dlq and the others are applied.
 */
@Injectable()
@EventSubscriberProvider()
export class ErpInvoicesConsumer implements EventSubscriber {
  constructor(private readonly upsert: UpsertInvoiceUseCase) {}

  subscriptions(): Subscription[] {
    const topic = ingestionTopic<ErpInvoiceRecord>(IngestionTopic.ErpInvoices, erpInvoicesSchema);
    return [
      subscribeBatch(topic, async (items, { em, scope }) => {
        for (const { event } of items) {
          if (event.kind === 'credit_note') {
            throw new FatalEventError(
              `${topic.name} ${event.sourceSystem}/${event.externalId}: /kind credit_note is not booked yet (credit notes are not supported)`,
              'KIND_NOT_SUPPORTED',
            );
          }
        }
        const outcomes = await this.upsert.executeBatch(
          em,
          items.map(({ event }) => upsertInputOf(event)),
        );
        outcomes.forEach((outcome, i) => {
          if (outcome.outcome !== 'rejected') return;
          const record = items[i]?.event;
          throw new FatalEventError(
            `${topic.name} ${record?.sourceSystem ?? ''}/${record?.externalId ?? ''}: ` +
              `${recordPointerOf(outcome.error.field)}: ${outcome.error.message}`,
            outcome.error.code,
          );
        });
        // Counted once committed: a batch rolled back and replayed record by record counts once.
        scope.onCommit(() => count(outcomes));
      }),
    ];
  }
}

function count(outcomes: readonly BatchUpsertOutcome[]): void {
  for (const { outcome } of outcomes) if (outcome !== 'rejected') recordsIn.inc({ outcome });
}
