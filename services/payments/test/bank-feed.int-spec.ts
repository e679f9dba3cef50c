import { randomUUID } from 'node:crypto';
import { dlqTopic, IngestionTopic, Topic, type BankPaymentRecord } from '@duemap/events';
import type { ErrorBody } from '@duemap/http';
import { DlqHeader } from '@duemap/messaging';
import { collectMessages, identityHeaders, waitFor } from '@duemap/testing';
import type { Producer } from 'kafkajs';
import type { BankStatementView } from '../src/bank-statements/usecases/get-bank-statement.usecase';
import type { PaymentView } from '../src/payments/payment.view';
import type { PaymentPage } from '../src/payments/usecases/list-payments.usecase';
import {
  cny,
  customerUpserted,
  invoiceIssued,
  publishedPayments,
  startPaymentsHarness,
  type PaymentsHarness,
} from './payments-harness';

const ACCOUNT = '4000023009200123456';
const TOPIC = IngestionTopic.BankPayments;

/**
 * bank.payments.v1 end to end inside payments, on a real broker and database: JSON records a bank
 * connector writes become statement lines of a 'feed' statement, cash application turns their
 * credits into payments (applied with payment-received, or waiting for review), the same
 * transaction sent again is a duplicate line and no second payment, and a record that breaks the
 * published schema is parked on the .dlq naming the field while the partition goes on.
 */
describe('bank.payments.v1: bank transactions from Kafka', () => {
  let h: PaymentsHarness;
  let producer: Producer;

  beforeAll(async () => {
    h = await startPaymentsHarness();
    producer = h.client.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await h?.close();
  });

  async function get<T>(path: string): Promise<{ status: number; body: T & ErrorBody }> {
    const res = await fetch(`${h.app.url}${path}`, {
      headers: await identityHeaders({ roles: ['finance'] }),
    });
    return { status: res.status, body: (await res.json()) as T & ErrorBody };
  }

  async function newCustomer(name: string): Promise<string> {
    const customerId = randomUUID();
    await h.handled(await h.publisher.publish(Topic.CustomerUpserted, customerUpserted(customerId, name)));
    return customerId;
  }

  async function newInvoice(customerId: string, number: string, total: string): Promise<string> {
    const event = invoiceIssued({
      customerId,
      number,
      total: cny(total),
      dueDate: '2026-01-15',
      issueDate: '2025-12-15',
    });
    await h.handled(await h.publisher.publish(Topic.InvoiceIssued, event));
    return event.invoiceId;
  }

  function credit(extra: Omit<Partial<BankPaymentRecord>, 'amount'> & { amount: string }): BankPaymentRecord {
    return {
      bankTransactionId: `BTX-${randomUUID()}`,
      account: { number: ACCOUNT, currency: 'CNY' },
      bookingDate: '2026-01-10',
      valueDate: '2026-01-10',
      ...extra,
      amount: { amount: extra.amount, currency: 'CNY' },
    };
  }

  /**
   * Writes records as a bank connector would: JSON values, keyed by the account (so one account's
   * records share a partition and stay in order), no Duemap headers unless given.
   */
  async function send(
    ...records: (BankPaymentRecord | { raw: string } | { record: BankPaymentRecord; eventId: string })[]
  ): Promise<void> {
    await producer.send({
      topic: TOPIC,
      messages: records.map((r) => {
        if ('raw' in r) return { key: ACCOUNT, value: r.raw };
        if ('eventId' in r)
          return { key: ACCOUNT, value: JSON.stringify(r.record), headers: { 'event-id': r.eventId } };
        return { key: ACCOUNT, value: JSON.stringify(r) };
      }),
    });
  }

  interface LineRow {
    statement_id: string;
    line_no: number;
    status: string;
    reason: string | null;
    duplicate_of: string | null;
    format: string;
    imported_by: string;
  }

  /** The stored lines of a bank transaction, oldest first. */
  async function linesOf(bankTransactionId: string): Promise<LineRow[]> {
    const { rows } = await h.db.query<LineRow>(
      `SELECT l.statement_id, l.line_no, l.status, l.reason, l.duplicate_of, s.format, s.imported_by
         FROM bank_statement_lines l JOIN bank_statements s ON s.id = l.statement_id
        WHERE l.bank_transaction_id = $1 ORDER BY s.imported_at, l.line_no`,
      [bankTransactionId],
    );
    return rows;
  }

  /** Waits until cash application has made the transaction a payment; answers it as the API shows it. */
  async function paymentOf(bankTransactionId: string): Promise<PaymentView> {
    const id = await waitFor(`the payment of ${bankTransactionId}`, async () => {
      const { rows } = await h.db.query<{ id: string }>(
        `SELECT id FROM payment WHERE bank_transaction_id = $1`,
        [bankTransactionId],
      );
      return rows[0]?.id;
    });
    return (await get<PaymentView>(`/api/v1/payments/${id}`)).body;
  }

  async function paymentCount(bankTransactionId: string): Promise<number> {
    const { rows } = await h.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM payment WHERE bank_transaction_id = $1`,
      [bankTransactionId],
    );
    return Number(rows[0]?.n);
  }

  it('turns credits naming open invoices into applied payments, an unknown payer into the worklist, under a feed statement', async () => {
    const hualian = await newCustomer('深圳华联电子有限公司');
    const acme = await newCustomer('Acme Trading Co., Ltd.');
    const hl1 = await newInvoice(hualian, 'INV-2026-104217', '1200.00');
    const ac1 = await newInvoice(acme, 'AC-77120931', '5430.25');
    await newInvoice(acme, 'AC-77120932', '100.00');

    const byReference = credit({
      amount: '1200.00',
      payer: { name: '深圳华联电子有限公司', account: '6222021234567890123' },
      remittance: '货款 INV-2026-1O4217',
    });
    const twoInvoices = credit({
      endToEndId: `E2E-${randomUUID()}`,
      amount: '5530.25',
      payer: { name: 'ACME TRADING CO LTD', iban: 'GB29NWBK60161331926819', bic: 'NWBKGB2L' },
      // Structured remittance only: the invoice numbers as the bank's documentNumbers.
      remittance: 'payment',
      documentNumbers: ['AC-77120931', 'AC-77120932'],
    });
    const unknown = credit({ amount: '77.70', payer: { name: 'WANG LI' }, remittance: 'goods' });
    const debit = credit({ amount: '15.00', direction: 'debit', remittance: 'bank fee' });
    await send(byReference, twoInvoices, unknown, debit);

    const applied = await paymentOf(byReference.bankTransactionId as string);
    expect(applied).toMatchObject({
      customerId: hualian,
      status: 'applied',
      amount: cny('1200.00'),
      allocations: [{ invoiceId: hl1, rule: 'invoice_reference', applied: cny('1200.00') }],
      payer: { name: '深圳华联电子有限公司' },
      bank: { transactionId: byReference.bankTransactionId },
    });
    const both = await paymentOf(twoInvoices.bankTransactionId as string);
    expect(both).toMatchObject({ customerId: acme, status: 'applied', amount: cny('5530.25') });
    expect(both.allocations.map((a) => a.invoiceNumber).sort()).toEqual(['AC-77120931', 'AC-77120932']);
    expect(both.allocations.find((a) => a.invoiceId === ac1)?.applied).toEqual(cny('5430.25'));
    // Matched by the numbers of the structured remittance, not guessed from the amount.
    expect(both.allocations.map((a) => a.rule)).toEqual(['invoice_reference', 'invoice_reference']);
    expect(both.allocations[0]?.evidence?.join(' ')).toContain('document number');

    const waiting = await paymentOf(unknown.bankTransactionId as string);
    expect(waiting.status).toBe('needs_review');
    expect(waiting.review?.reasons.length).toBeGreaterThan(0);
    const worklist = await get<PaymentPage>('/api/v1/payments?status=needs_review&limit=200');
    expect(worklist.body.items.map((p) => p.id)).toContain(waiting.id);

    // payment-received went out for the applied ones (balances, the map, reminders follow).
    const events = await publishedPayments(h.client, 2);
    expect(events.map((e) => e.paymentId).sort()).toEqual([applied.id, both.id].sort());

    // One statement for the records of the consumer transaction, shown like an upload's.
    const [line] = await linesOf(byReference.bankTransactionId as string);
    expect(line).toMatchObject({ format: 'feed', imported_by: 'bank.payments.v1' });
    const statement = await get<BankStatementView>(`/api/v1/bank-statements/${line?.statement_id}`);
    expect(statement.status).toBe(200);
    expect(statement.body).toMatchObject({
      format: 'feed',
      importedBy: 'bank.payments.v1',
      accounts: [ACCOUNT],
    });
    const shown = new Map(statement.body.items.map((item) => [item.references.bankTransactionId, item]));
    expect(shown.get(byReference.bankTransactionId as string)).toMatchObject({
      amount: cny('1200.00'),
      payer: { name: '深圳华联电子有限公司', account: '6222021234567890123' },
      remittance: '货款 INV-2026-1O4217',
      source: { path: expect.stringMatching(/^bank\.payments\.v1\/[0-9]+@[0-9]+$/) },
    });
    expect(shown.get(debit.bankTransactionId as string)).toMatchObject({
      status: 'not_candidate',
      reason: 'debit',
    });
    expect(await paymentCount(debit.bankTransactionId as string)).toBe(0);
  });

  it('recognises the same transaction sent again: a duplicate line and no second payment', async () => {
    const customer = await newCustomer('Twice Sent Trading Ltd');
    const invoice = await newInvoice(customer, 'TS-2026-0001', '640.00');
    const transfer = credit({
      amount: '640.00',
      payer: { name: 'Twice Sent Trading Ltd' },
      remittance: 'TS-2026-0001',
    });
    const btx = transfer.bankTransactionId as string;
    await send(transfer);
    expect(await paymentOf(btx)).toMatchObject({ status: 'applied', allocations: [{ invoiceId: invoice }] });

    // The connector sends it again (no event-id: a new record to Kafka, the same transaction to the bank).
    await send(transfer);
    const [first, second] = await waitFor('the second line', async () => {
      const lines = await linesOf(btx);
      return lines.length === 2 ? lines : undefined;
    });
    expect(first).toMatchObject({ status: 'recorded' });
    expect(second).toMatchObject({ status: 'duplicate', duplicate_of: first?.statement_id });
    // A duplicate line is no candidate: nothing is left for cash application, and one payment stays.
    const { rows } = await h.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM bank_statement_lines WHERE status = 'unmatched'`,
    );
    expect(Number(rows[0]?.n)).toBe(0);
    expect(await paymentCount(btx)).toBe(1);

    // A producer that names its records (event-id) and sends one twice: the second is a no-op.
    const eventId = randomUUID();
    const named = credit({ amount: '12.00', payer: { name: 'Nobody Known' } });
    const after = credit({ amount: '13.00', payer: { name: 'Nobody Known' } });
    await send({ record: named, eventId }, { record: named, eventId }, after);
    await paymentOf(after.bankTransactionId as string);
    expect(await linesOf(named.bankTransactionId as string)).toHaveLength(1);
    expect(await paymentCount(named.bankTransactionId as string)).toBe(1);
  });

  it('parks a record that breaks the schema on bank.payments.v1.dlq naming the field, and applies the next record of the partition', async () => {
    const customer = await newCustomer('After The Bad One Ltd');
    const invoice = await newInvoice(customer, 'AB-2026-0042', '99.00');
    const badAmount = credit({ amount: '1,200.00' });
    const { amount: _amount, ...missingAmount } = credit({ amount: '1.00' });
    const unknownCurrency = { ...credit({ amount: '5.00' }), amount: { amount: '5.00', currency: 'XYZ' } };
    const good = credit({
      amount: '99.00',
      payer: { name: 'After The Bad One Ltd' },
      remittance: 'AB-2026-0042',
    });
    await send(
      badAmount,
      { raw: '{"bankTransactionId": "BTX-truncated", "amount": {' },
      missingAmount as BankPaymentRecord,
      unknownCurrency,
      good,
    );

    expect(await paymentOf(good.bankTransactionId as string)).toMatchObject({
      status: 'applied',
      allocations: [{ invoiceId: invoice, applied: cny('99.00') }],
    });
    const dead = await collectMessages(h.client, dlqTopic(TOPIC), 4);
    expect(dead.map((m) => m.header(DlqHeader.Error))).toEqual([
      'ContractError: bank.payments.v1: /amount/amount must match pattern "^(0|[1-9][0-9]{0,17})(\\.[0-9]{1,6})?$" (got "1,200.00")',
      expect.stringMatching(/^ContractError: bank\.payments\.v1: value is not JSON: /),
      'ContractError: bank.payments.v1: /amount is required',
      expect.stringMatching(
        /^FatalEventError: bank\.payments\.v1 \(partition [0-9]+, offset [0-9]+\): \/amount\/currency: currency "XYZ" is not a known ISO 4217 currency$/,
      ),
    ]);
    expect(dead.map((m) => m.header(DlqHeader.ErrorClass))).toEqual(['fatal', 'fatal', 'fatal', 'fatal']);
    // The record itself, untouched, for a person to mend and send again.
    expect(JSON.parse(dead[0]?.message.value?.toString() ?? 'null')).toEqual(badAmount);
    // Nothing of the refused records was stored.
    expect(await linesOf(badAmount.bankTransactionId as string)).toEqual([]);
    expect(await linesOf(unknownCurrency.bankTransactionId as string)).toEqual([]);

    // /metrics: stored records by outcome, refused ones as the consumer's dead letters.
    const metrics = await (await fetch(`${h.app.url}/metrics`)).text();
    const value = (pattern: RegExp): number => Number(pattern.exec(metrics)?.[1] ?? NaN);
    expect(value(/^duemap_bank_feed_records_total\{outcome="candidate"\} ([0-9]+)$/m)).toBe(7);
    expect(value(/^duemap_bank_feed_records_total\{outcome="duplicate"\} ([0-9]+)$/m)).toBe(1);
    expect(value(/^duemap_bank_feed_records_total\{outcome="not_candidate"\} ([0-9]+)$/m)).toBe(1);
    expect(
      value(
        /^duemap_consumer_messages_total\{[^}]*topic="bank\.payments\.v1"[^}]*outcome="dead_lettered"[^}]*\} ([0-9]+)$/m,
      ),
    ).toBe(4);
  });
});
