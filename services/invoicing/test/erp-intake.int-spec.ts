import { randomUUID } from 'node:crypto';
import { dlqTopic, IngestionTopic, Topic, type ErpInvoiceRecord } from '@duemap/events';
import { DlqHeader } from '@duemap/messaging';
import { collectMessages, testKafka, waitFor } from '@duemap/testing';
import type { Producer } from 'kafkajs';
import { InvoicingHarness, isoDay } from './invoicing-harness';

const TOPIC = IngestionTopic.ErpInvoices;

/**
 * erp.invoices.v1 on a real broker and Postgres: records become invoices (invoice-issued), the same
 * record again changes nothing, an older sourceVersion is ignored, and a record a rule refuses is
 * parked on the .dlq naming the field while the rest of its batch lands.
 */
describe('erp.invoices.v1: invoices from ERPs over Kafka', () => {
  const h = new InvoicingHarness();
  let producer: Producer;
  let customer: { id: string; sources: { sourceSystem: string; externalId: string }[] };

  beforeAll(async () => {
    await h.start('erp_intake');
    producer = testKafka(h.service.kafka.brokers).producer();
    await producer.connect();
    customer = await h.seedCustomer();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await h.stop();
  });

  function record(overrides: Partial<ErpInvoiceRecord> = {}): ErpInvoiceRecord {
    const externalId = `1000/2026/${randomUUID().slice(0, 10)}`;
    return {
      sourceSystem: 'sap-ecc-cn',
      externalId,
      sourceVersion: 1,
      customer: customer.sources[0] as { sourceSystem: string; externalId: string },
      number: externalId.slice(-10),
      issueDate: isoDay(-5),
      dueDate: isoDay(25),
      total: { amount: '1130.00', currency: 'CNY' },
      lines: [
        { description: 'Consulting', quantity: '1', unitPrice: '1130.00', amount: '1130.00', tax: '130.00' },
      ],
      ...overrides,
    };
  }

  /** As an ERP connector writes them: keyed by the invoice, so its versions stay in order. */
  async function send(...records: ErpInvoiceRecord[]): Promise<void> {
    await producer.send({
      topic: TOPIC,
      messages: records.map((r) => ({ key: `${r.sourceSystem}/${r.externalId}`, value: JSON.stringify(r) })),
    });
  }

  async function stored(
    r: ErpInvoiceRecord,
  ): Promise<{ number: string; total_minor: string; source_version: string } | undefined> {
    const [row] = await h.dataSource.query<{ number: string; total_minor: string; source_version: string }[]>(
      `SELECT number, total_minor::text, source_version::text FROM invoices WHERE source_system = $1 AND external_id = $2`,
      [r.sourceSystem, r.externalId],
    );
    return row;
  }

  it('creates invoices with invoice-issued; the same record again emits nothing more; an older version is ignored', async () => {
    const a = record({ sourceVersion: 5 });
    const b = record();
    await send(a, b);
    const issued = await h.events.waitFor(Topic.InvoiceIssued, (e) => e.number === a.number);
    expect(issued.event.customerId).toBe(customer.id);
    await h.events.waitFor(Topic.InvoiceIssued, (e) => e.number === b.number);

    // A newer version changes the invoice; then the same newer version again and an older one
    // change nothing (a marker record after them proves they were consumed).
    await send({ ...a, sourceVersion: 7, total: { amount: '2000.00', currency: 'CNY' }, lines: undefined });
    await waitFor('version 7 applied', async () =>
      (await stored(a))?.source_version === '7' ? true : undefined,
    );
    await send(
      { ...a, sourceVersion: 7, total: { amount: '2000.00', currency: 'CNY' }, lines: undefined },
      { ...a, sourceVersion: 6, total: { amount: '9.00', currency: 'CNY' }, lines: undefined },
      { ...a, sourceVersion: 5 },
    );
    const marker = record();
    await send(marker);
    await h.events.waitFor(Topic.InvoiceIssued, (e) => e.number === marker.number);
    expect(await stored(a)).toMatchObject({ total_minor: '200000', source_version: '7' });
    const invoiceId = issued.event.invoiceId;
    expect(h.events.of(Topic.InvoiceIssued, (e) => e.invoiceId === invoiceId)).toHaveLength(1);
    expect(h.events.of(Topic.InvoiceChanged, (e) => e.invoiceId === invoiceId)).toHaveLength(1);
  });

  it('parks a record a rule refuses on erp.invoices.v1.dlq naming the field; the rest of the batch lands', async () => {
    const good1 = record();
    const dueBeforeIssue = record({ issueDate: isoDay(-5), dueDate: isoDay(-10) });
    const badLines = record({ lines: [{ description: 'x', amount: '1.00' }] });
    const good2 = record();
    await send(good1, dueBeforeIssue, badLines, good2);
    await h.events.waitFor(Topic.InvoiceIssued, (e) => e.number === good1.number);
    await h.events.waitFor(Topic.InvoiceIssued, (e) => e.number === good2.number);
    const dead = await collectMessages(testKafka(h.service.kafka.brokers), dlqTopic(TOPIC), 2);
    const reasons = dead.map((m) => m.header(DlqHeader.Error) ?? '');
    expect(reasons.find((r) => r.includes(dueBeforeIssue.externalId))).toMatch(
      /\/dueDate: .*before issueDate/,
    );
    expect(reasons.find((r) => r.includes(badLines.externalId))).toMatch(/\/lines: the lines add up to/);
    expect(await stored(dueBeforeIssue)).toBeUndefined();
    expect(await stored(badLines)).toBeUndefined();
  });
});
