import {
  ArStatus,
  GeocodePrecision,
  InvoiceStatus,
  Topic,
  type BalanceChanged,
  type StatusChanged,
} from '@duemap/events';
import { collectMessages, testKafka, waitFor } from '@duemap/testing';
import { randomUUID } from 'node:crypto';
import type { EncodedRecord, TopicName } from '@duemap/events';
import { cny, shenzhen, startCustomers, type ApiBody, type CustomersHarness } from './customers-harness';

describe('customers balance, status and location projection', () => {
  let h: CustomersHarness;
  let customerId: string;

  beforeAll(async () => {
    h = await startCustomers('customers_balances');
    const res = await h.put('/api/v1/customers/sap-ecc-cn/BAL-1', { name: 'Balance Co', address: shenzhen });
    customerId = res.body.id;
  });

  afterAll(async () => {
    await h?.close();
  });

  const customer = async () => (await h.get(`/api/v1/customers/${customerId}`)).body;
  const until = (what: string, check: (c: ApiBody) => boolean) =>
    waitFor(what, async () => {
      const c = await customer();
      return check(c) ? c : undefined;
    });
  const eventsOf = <T>(topic: string) =>
    h.seen.filter((s) => s.topic === topic && s.key === customerId).map((s) => s.event as T);
  const statuses = () =>
    eventsOf<StatusChanged>(Topic.StatusChanged).map((e) => [e.status, e.previousStatus]);
  const invoice = (invoiceId: string, open: string, status: InvoiceStatus, total = open) => ({
    customerId,
    invoiceId,
    number: invoiceId.toUpperCase(),
    total: cny(total),
    openAmount: cny(open),
    status,
  });

  it('issued 100 -> unpaid with outstanding 100, announced on Kafka', async () => {
    await h.publish(Topic.InvoiceIssued, invoice('inv-1', '100.00', InvoiceStatus.OPEN));
    const c = await until('unpaid', (x) => x.status === 'unpaid');
    expect(c.balance).toEqual({
      outstanding: cny('100.00'),
      overdue: cny('0.00'),
      unappliedCredit: cny('0.00'),
    });
    expect(c.balances).toEqual([{ currency: 'CNY', ...c.balance }]);
    await waitFor('status-changed UNPAID', () => (statuses().length === 1 ? true : undefined));
    expect(statuses()).toEqual([[ArStatus.UNPAID, ArStatus.PAID]]);
    const balance = await waitFor('balance-changed', () => eventsOf<BalanceChanged>(Topic.BalanceChanged)[0]);
    expect(balance.balances).toEqual([
      expect.objectContaining({
        currency: 'CNY',
        outstanding: expect.objectContaining({ amount: '100.00', currency: 'CNY' }),
        overdue: expect.objectContaining({ amount: '0.00' }),
        unappliedCredit: expect.objectContaining({ amount: '0.00' }),
      }),
    ]);
  });

  it('payment-received allocating 100, then invoice-changed open 0 -> paid', async () => {
    await h.publish(Topic.PaymentReceived, {
      customerId,
      paymentId: 'pay-1',
      amount: cny('100.00'),
      allocations: [{ invoiceId: 'inv-1', applied: cny('100.00'), invoiceNumber: 'INV-1' }],
      unapplied: cny('0.00'),
    });
    await h.publish(Topic.InvoiceChanged, {
      ...invoice('inv-1', '0.00', InvoiceStatus.PAID, '100.00'),
      changedFields: [5],
    });
    await h.publish(Topic.InvoicePaid, {
      customerId,
      invoiceId: 'inv-1',
      total: cny('100.00'),
      paymentIds: ['pay-1'],
    });
    const c = await until('paid', (x) => x.status === 'paid');
    expect(c.balance.outstanding).toEqual(cny('0.00'));
    await waitFor('status-changed PAID', () => (statuses().length === 2 ? true : undefined));
    expect(statuses()[1]).toEqual([ArStatus.PAID, ArStatus.UNPAID]);
  });

  it('an overdue invoice -> overdue, with the overdue amount', async () => {
    await h.publish(Topic.InvoiceIssued, invoice('inv-2', '200.00', InvoiceStatus.OPEN));
    await h.publish(Topic.InvoiceOverdue, {
      customerId,
      invoiceId: 'inv-2',
      openAmount: cny('200.00'),
      total: cny('200.00'),
      timeZone: 'Asia/Shanghai',
    });
    const c = await until('overdue', (x) => x.status === 'overdue');
    expect(c.balance).toMatchObject({ outstanding: cny('200.00'), overdue: cny('200.00') });
    await waitFor('status-changed OVERDUE', () =>
      statuses().at(-1)?.[0] === ArStatus.OVERDUE ? true : undefined,
    );
  });

  it('ignores an invoice event older than the last one applied to that invoice', async () => {
    const stale = await h.publish(
      Topic.InvoiceChanged,
      { ...invoice('inv-2', '0.00', InvoiceStatus.PAID, '200.00'), changedFields: [5] },
      { occurredAt: new Date(Date.now() - 3_600_000) },
    );
    await h.handled(stale);
    expect((await customer()).status).toBe('overdue');
    await h.publish(Topic.InvoiceChanged, {
      ...invoice('inv-3', '5.00', InvoiceStatus.OPEN),
      changedFields: [5],
    });
    const c = await until('inv-3 applied', (x) => x.balance.outstanding.amount === '205.00');
    expect(c.status).toBe('overdue');
    expect(c.balance.overdue).toEqual(cny('200.00'));
  });

  it('counts unapplied credit once, whatever is redelivered', async () => {
    // The previous test waited on the HTTP view; its balance-changed may still be on its way here.
    await waitFor('the previous balance-changed', () =>
      eventsOf<BalanceChanged>(Topic.BalanceChanged)
        .at(-1)
        ?.balances.some((b) => b.outstanding?.amount === '205.00')
        ? true
        : undefined,
    );
    const balanceEventsBefore = eventsOf(Topic.BalanceChanged).length;
    const payment = {
      customerId,
      paymentId: 'pay-2',
      amount: cny('50.00'),
      allocations: [],
      unapplied: cny('50.00'),
    };
    const eventId = await h.publish(Topic.PaymentReceived, payment);
    await until('credit 50', (x) => x.balance.unappliedCredit.amount === '50.00');
    await h.publish(Topic.PaymentReceived, payment, { eventId }); // the same event again
    await h.publish(Topic.PaymentReceived, payment); // the same payment under a new event id
    await h.publish(Topic.PaymentReceived, {
      ...payment,
      paymentId: 'pay-3',
      amount: cny('10.00'),
      unapplied: cny('10.00'),
    });
    const c = await until('credit 60', (x) => x.balance.unappliedCredit.amount !== '50.00');
    expect(c.balance.unappliedCredit).toEqual(cny('60.00'));
    expect(c.balance.outstanding).toEqual(cny('145.00')); // 205 open - 60 credit
    // One balance-changed for pay-2 and one for pay-3; none for the redeliveries.
    const newBalanceEvents = () => eventsOf(Topic.BalanceChanged).length - balanceEventsBefore;
    await waitFor('two balance-changed', () => (newBalanceEvents() >= 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(newBalanceEvents()).toBe(2);
    const { rows } = await h.sql.query(`SELECT count(*)::int AS n FROM inbox WHERE topic = $1`, [
      Topic.PaymentReceived,
    ]);
    // Event ids of pay-1, pay-2 (twice: two ids), pay-3: the redelivered id is one row.
    expect(rows[0].n).toBe(4);
    const entries = await h.sql.query(
      `SELECT count(*)::int AS n FROM credit_entries WHERE payment_id = 'pay-2'`,
    );
    expect(entries.rows[0].n).toBe(1);
  });

  it('a rejected allocation adds to unapplied credit; reversal and refund take it away', async () => {
    await h.publish(Topic.AllocationRejected, {
      customerId,
      paymentId: 'pay-2',
      invoiceId: 'inv-9',
      requested: cny('15.00'),
      rejected: cny('15.00'),
      reason: 1,
    });
    await until('credit 75', (x) => x.balance.unappliedCredit.amount === '75.00');
    await h.publish(Topic.RefundIssued, {
      customerId,
      refundId: 'ref-1',
      paymentId: 'pay-3',
      amount: cny('10.00'),
    });
    await until('credit 65', (x) => x.balance.unappliedCredit.amount === '65.00');
    await h.publish(Topic.PaymentReversed, {
      customerId,
      paymentId: 'pay-2',
      amount: cny('50.00'),
      reversedUnapplied: cny('65.00'),
    });
    const c = await until('credit 0', (x) => x.balance.unappliedCredit.amount === '0.00');
    expect(c.balance.outstanding).toEqual(cny('205.00'));
  });

  it('keeps currencies apart and voids drop an invoice from every sum', async () => {
    await h.publish(Topic.InvoiceIssued, {
      ...invoice('inv-usd', '30.00', InvoiceStatus.OPEN),
      total: { amount: '30.00', currency: 'USD' },
      openAmount: { amount: '30.00', currency: 'USD' },
    });
    let c = await until('USD balance', (x) => x.balances.length === 2);
    expect(c.balances.map((b: { currency: string }) => b.currency)).toEqual(['CNY', 'USD']);
    expect(c.balances[1]?.outstanding).toEqual({ amount: '30.00', currency: 'USD' });
    expect(c.balance.outstanding).toEqual(cny('205.00'));

    await h.publish(Topic.InvoiceVoided, {
      customerId,
      invoiceId: 'inv-2',
      total: cny('200.00'),
      voidedOpenAmount: cny('200.00'),
    });
    c = await until('inv-2 void', (x) => x.status === 'unpaid');
    expect(c.balance).toMatchObject({ outstanding: cny('5.00'), overdue: cny('0.00') });
    await waitFor('status-changed back to UNPAID', () =>
      statuses().at(-1)?.[0] === ArStatus.UNPAID ? true : undefined,
    );
    // A late invoice-overdue for the void invoice cannot revive it.
    await h.publish(Topic.InvoiceOverdue, {
      customerId,
      invoiceId: 'inv-2',
      openAmount: cny('200.00'),
      total: cny('200.00'),
    });
    await h.publish(Topic.InvoiceOverdue, {
      customerId,
      invoiceId: 'inv-3',
      openAmount: cny('5.00'),
      total: cny('5.00'),
    });
    c = await until('inv-3 overdue', (x) => x.status === 'overdue');
    expect(c.balance.overdue).toEqual(cny('5.00'));
  });

  it('shows the location geocoding reported, and withdraws it when geocoding fails', async () => {
    await h.publish(Topic.CustomerGeocoded, {
      customerId,
      latitude: 22.5405,
      longitude: 113.9344,
      precision: GeocodePrecision.DISTRICT,
      source: 'china-districts',
    });
    const c = await until('located', (x) => x.location.state === 'located');
    expect(c.location).toMatchObject({ lat: 22.5405, lng: 113.9344, precision: 'district' });
    const stale = await h.publish(
      Topic.GeocodeFailed,
      { customerId, reason: 1 },
      { occurredAt: new Date(Date.now() - 60_000) },
    );
    await h.handled(stale);
    expect((await customer()).location.state).toBe('located');
    await h.publish(Topic.GeocodeFailed, { customerId, reason: 1 });
    await until('location withdrawn', (x) => x.location.state === 'not_located' && x.location.lat === null);
  });

  it('dead-letters an event that can never apply and carries on', async () => {
    await h.publish(Topic.InvoiceIssued, {
      ...invoice('inv-bad', '1.00', InvoiceStatus.OPEN),
      openAmount: { amount: '1.001', currency: 'CNY' },
    });
    await h.publish(Topic.InvoiceIssued, invoice('inv-4', '1.00', InvoiceStatus.OPEN));
    await until('inv-4 applied', (x) => x.balance.outstanding.amount === '6.00');
    const [dead] = await collectMessages(testKafka(h.brokers), `${Topic.InvoiceIssued}.dlq`, 1);
    expect(dead?.header('dlq-error')).toMatch(/open_amount/);
  });

  it('projects invoices of customers it does not know without failing', async () => {
    const stranger = randomUUID();
    await h.publish(Topic.InvoiceIssued, {
      ...invoice('inv-x', '9.00', InvoiceStatus.OPEN),
      customerId: stranger,
    });
    await waitFor('the stranger invoice stored', async () => {
      const { rows } = await h.sql.query('SELECT customer_id FROM invoice_balances WHERE invoice_id = $1', [
        'inv-x',
      ]);
      return rows[0]?.customer_id === stranger ? true : undefined;
    });
    expect(h.seen.filter((s) => s.key === stranger)).toHaveLength(0);
  });
  it('applies many events delivered together as it would one by one', async () => {
    // Customers c0..c11, each with three invoices, two payment events, several events for the same
    // invoice in one partition and three location reports: the batch must keep their order and
    // occurred_at guards.
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push((await h.put(`/api/v1/customers/sap-ecc-cn/BULK-${i}`, { name: `Bulk ${i}` })).body.id);
    }
    const base = Date.now() - 3_600_000;
    const at = (seconds: number) => ({ occurredAt: new Date(base + seconds * 1000) });
    const open = (customer: string, invoiceId: string, amount: string) => ({
      customerId: customer,
      invoiceId,
      number: invoiceId.toUpperCase(),
      total: cny(amount),
      openAmount: cny(amount),
      status: InvoiceStatus.OPEN,
    });
    const changed = (customer: string, invoiceId: string, amount: string, total: string) => ({
      ...open(customer, invoiceId, amount),
      total: cny(total),
      changedFields: [5],
    });
    const geocoded = (customer: string, latitude: number) => ({
      customerId: customer,
      latitude,
      longitude: 113.9,
      precision: GeocodePrecision.DISTRICT,
      source: 'china-districts',
    });
    const records: EncodedRecord<TopicName>[] = [];
    ids.forEach((c, i) => {
      const previous = ids[(i + ids.length - 1) % ids.length] as string;
      const inv = (n: number, of = i) => `inv-bulk-${of}-${n}`;
      const payment = {
        customerId: c,
        paymentId: `pay-bulk-${i}`,
        amount: cny('5.00'),
        allocations: [],
        unapplied: cny('5.00'),
      };
      records.push(
        h.encode(Topic.InvoiceIssued, open(c, inv(1), '100.00'), at(0)),
        h.encode(Topic.InvoiceIssued, open(c, inv(2), '50.00'), at(0)),
        h.encode(Topic.InvoiceIssued, open(c, inv(3), '30.00'), at(0)),
        h.encode(Topic.InvoiceChanged, changed(c, inv(1), '40.00', '100.00'), at(1)),
        // Later in the partition but older: ignored, as one by one.
        h.encode(Topic.InvoiceChanged, changed(c, inv(1), '70.00', '100.00'), at(0.5)),
        h.encode(Topic.InvoiceChanged, changed(c, inv(2), '20.00', '50.00'), at(2)),
        // Later and newer: wins.
        h.encode(Topic.InvoiceChanged, changed(c, inv(2), '10.00', '50.00'), at(3)),
        h.encode(
          Topic.InvoiceOverdue,
          { customerId: c, invoiceId: inv(2), openAmount: cny('20.00'), total: cny('50.00') },
          at(2.5),
        ),
        // The previous customer's third invoice moves here.
        h.encode(
          Topic.InvoiceChanged,
          {
            ...changed(c, inv(3, (i + ids.length - 1) % ids.length), '30.00', '30.00'),
            previousCustomerId: previous,
          },
          at(1),
        ),
        h.encode(Topic.PaymentReceived, payment, at(1)),
        // The same payment again under another event id: one credit entry.
        h.encode(Topic.PaymentReceived, payment, at(1)),
        // Locations: the newest report stays, whatever comes after it; odd customers lose theirs.
        h.encode(Topic.CustomerGeocoded, geocoded(c, 10), at(2)),
        h.encode(Topic.CustomerGeocoded, geocoded(c, 20), at(1.5)),
        h.encode(Topic.GeocodeFailed, { customerId: c, reason: 1 }, at(i % 2 === 1 ? 3 : 1)),
        h.encode(
          Topic.InvoicePaid,
          { customerId: c, invoiceId: inv(1), total: cny('100.00'), paymentIds: [] },
          at(4),
        ),
      );
    });
    const statementsBefore = await h.metric('duemap_db_statements_total');
    const transactionsBefore = await h.metric('duemap_consumer_transaction_messages_count');
    const eventIds = await h.publishAll(records);
    await h.handled(...eventIds);
    const lastBalance = (c: string) =>
      h.seen.filter((s) => s.topic === Topic.BalanceChanged && s.key === c).at(-1)?.event as
        BalanceChanged | undefined;
    const settled = (c: string) => lastBalance(c)?.balances[0]?.outstanding?.amount === '35.00';
    await waitFor('every final balance-changed', () => (ids.every(settled) ? true : undefined));
    const statements = (await h.metric('duemap_db_statements_total')) - statementsBefore;
    const transactions = (await h.metric('duemap_consumer_transaction_messages_count')) - transactionsBefore;
    process.stdout.write(
      `customers: ${records.length} events in ${transactions} transactions, ${statements} statements ` +
        `(${(statements / records.length).toFixed(2)} per event, relay included)\n`,
    );
    // A consumer transaction costs a handful of statements whatever the number of its events
    // (begin, inbox, one per projection, lock, totals, update, outbox, commit); the relay's claims
    // and polls come on top. One statement per event would be far above this.
    expect(statements).toBeLessThanOrEqual(15 * transactions + 20);

    // 100 open - 100 paid + 50 open -> 10 + 30 moved in, 5 unapplied credit: 35 outstanding.
    for (const [i, c] of ids.entries()) {
      const view = (await h.get(`/api/v1/customers/${c}`)).body;
      expect(view.location).toMatchObject(
        i % 2 === 1
          ? { state: 'not_located', lat: null, lng: null, precision: null }
          : { state: 'located', lat: 10, lng: 113.9, precision: 'district' },
      );
      expect(view.status).toBe('unpaid');
      expect(view.balance).toEqual({
        outstanding: cny('35.00'),
        overdue: cny('0.00'),
        unappliedCredit: cny('5.00'),
      });
    }
    const invoices = await h.sql.query<{
      invoice_id: string;
      customer_id: string;
      open: string;
      overdue: boolean;
    }>(
      `SELECT invoice_id, customer_id, open_minor::text AS open, overdue FROM invoice_balances
        WHERE invoice_id LIKE 'inv-bulk-%' ORDER BY invoice_id`,
    );
    expect(invoices.rows).toEqual(
      ids
        .flatMap((c, i) => [
          { invoice_id: `inv-bulk-${i}-1`, customer_id: c, open: '0', overdue: false },
          { invoice_id: `inv-bulk-${i}-2`, customer_id: c, open: '1000', overdue: false },
          {
            invoice_id: `inv-bulk-${i}-3`,
            customer_id: ids[(i + 1) % ids.length],
            open: '3000',
            overdue: false,
          },
        ])
        .sort((a, b) => (a.invoice_id < b.invoice_id ? -1 : 1)),
    );
    const credits = await h.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM credit_entries WHERE payment_id LIKE 'pay-bulk-%'`,
    );
    expect(credits.rows[0]?.n).toBe(ids.length);

    // Emitted events: each one a change, the status ones a chain from PAID to UNPAID.
    for (const c of ids) {
      const balances = h.seen.filter((s) => s.topic === Topic.BalanceChanged && s.key === c);
      const amounts = balances.map((s) => JSON.stringify((s.event as BalanceChanged).balances));
      amounts.slice(1).forEach((a, k) => expect(a).not.toBe(amounts[k]));
      const chain = h.seen
        .filter((s) => s.topic === Topic.StatusChanged && s.key === c)
        .map((s) => s.event as StatusChanged);
      expect(chain[0]?.previousStatus).toBe(ArStatus.PAID);
      chain.slice(1).forEach((e, k) => expect(e.previousStatus).toBe(chain[k]?.status));
      expect(chain.at(-1)?.status).toBe(ArStatus.UNPAID);
    }
  });
  describe('versions order what clocks cannot (two instances with skewed clocks)', () => {
    const skewed = (minutes: number) => ({ occurredAt: new Date(Date.now() + minutes * 60_000) });
    const viewOf = async (id: string) => (await h.get(`/api/v1/customers/${id}`)).body;
    const untilOf = (id: string, what: string, check: (c: ApiBody) => boolean) =>
      waitFor(what, async () => {
        const c = await viewOf(id);
        return check(c) ? c : undefined;
      });
    let skew: string;

    beforeAll(async () => {
      skew = (await h.put('/api/v1/customers/sap-ecc-cn/SKEW-1', { name: 'Skew Co' })).body.id;
    });

    const state = (open: string, status: InvoiceStatus, invoiceVersion: bigint) => ({
      customerId: skew,
      invoiceId: 'inv-skew',
      number: 'INV-SKEW',
      total: cny('100.00'),
      openAmount: cny(open),
      status,
      invoiceVersion,
    });

    it('applies a later invoice version stamped earlier, and ignores an older one stamped later', async () => {
      await h.publish(Topic.InvoiceIssued, state('100.00', InvoiceStatus.OPEN, 1n), skewed(0));
      await untilOf(skew, 'issued', (c) => c.status === 'unpaid');
      // Paid on an invoicing instance whose clock is an hour behind.
      await h.publish(
        Topic.InvoiceChanged,
        { ...state('0.00', InvoiceStatus.PAID, 2n), changedFields: [5] },
        skewed(-60),
      );
      await untilOf(skew, 'the later version applied', (c) => c.status === 'paid');
      // The overdue mark of version 1, from an instance whose clock is an hour ahead, comes late.
      const stale = await h.publish(
        Topic.InvoiceOverdue,
        {
          customerId: skew,
          invoiceId: 'inv-skew',
          openAmount: cny('100.00'),
          total: cny('100.00'),
          invoiceVersion: 1n,
        },
        skewed(60),
      );
      await h.handled(stale);
      expect(await viewOf(skew)).toMatchObject({ status: 'paid', balance: { outstanding: cny('0.00') } });
    });

    it('applies a later geocode version stamped earlier, and ignores an older one stamped later', async () => {
      const located = (latitude: number, geocodeVersion: bigint) => ({
        customerId: skew,
        latitude,
        longitude: 113.9,
        precision: GeocodePrecision.DISTRICT,
        source: 'china-districts',
        geocodeVersion,
      });
      await h.publish(Topic.CustomerGeocoded, located(22.1, 1n), skewed(0));
      await untilOf(skew, 'located', (c) => c.location?.lat === 22.1);
      await h.publish(Topic.CustomerGeocoded, located(22.2, 2n), skewed(-60));
      await untilOf(skew, 'the later geocode applied', (c) => c.location?.lat === 22.2);
      const stale = await h.publish(
        Topic.GeocodeFailed,
        { customerId: skew, reason: 1, geocodeVersion: 1n },
        skewed(60),
      );
      await h.handled(stale);
      expect((await viewOf(skew)).location).toMatchObject({
        state: 'located',
        lat: 22.2,
        lng: 113.9,
        precision: 'district',
      });
    });

    it('stamps each of its own changes of a customer with a higher version', async () => {
      const versions = (topic: string) =>
        h.seen
          .filter((e) => e.topic === topic && e.key === skew)
          .map((e) => (e.event as { customerVersion: bigint }).customerVersion);
      await waitFor('the status changes of the invoice', () =>
        versions(Topic.StatusChanged).length === 2 ? true : undefined,
      );
      expect(versions(Topic.CustomerUpserted)).toEqual([1n]);
      expect(versions(Topic.StatusChanged)).toEqual([2n, 3n]);
      expect(versions(Topic.BalanceChanged)).toEqual([2n, 3n]);
    });
  });
});
