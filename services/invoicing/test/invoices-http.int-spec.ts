import { randomUUID } from 'node:crypto';
import { InvoiceField, InvoiceStatus as ProtoStatus, Topic } from '@duemap/events';
import { OUTBOX_WRITES_SQL } from '@duemap/testing';
import { invoiceSource, isoDay, InvoicingHarness, type SourceRef } from './invoicing-harness';

// The HTTP API of invoicing against real Postgres and a private Kafka broker: upserts answer
// with the invoice and emit invoice-issued / invoice-changed; bad input changes nothing.

describe('invoicing HTTP API', () => {
  const h = new InvoicingHarness();
  let customer: { id: string; sources: SourceRef[] };

  beforeAll(async () => {
    await h.start('invoicing_http');
    customer = await h.seedCustomer({ timeZone: 'Asia/Shanghai' });
  });

  afterAll(() => h.stop());

  const body = (overrides: Record<string, unknown> = {}) => ({
    customerId: customer.id,
    number: 'INV-2025-000123',
    issueDate: isoDay(-5),
    dueDate: isoDay(30),
    total: { amount: '1234.50', currency: 'CNY' },
    lines: [
      {
        description: 'Consulting',
        quantity: '3',
        unitPrice: { amount: '411.50', currency: 'CNY' },
        amount: { amount: '1234.50', currency: 'CNY' },
      },
    ],
    ...overrides,
  });

  describe('PUT /api/v1/invoices/{sourceSystem}/{externalId}', () => {
    it('creates an invoice (201) and emits invoice-issued with the full state', async () => {
      const source = invoiceSource();
      const res = await h.put(source, body());

      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        customerId: customer.id,
        source,
        number: 'INV-2025-000123',
        total: { amount: '1234.50', currency: 'CNY' },
        openAmount: { amount: '1234.50', currency: 'CNY' },
        status: 'open',
        payments: [],
        lines: [{ lineNumber: 1, description: 'Consulting', quantity: '3' }],
      });
      const issued = await h.events.waitFor(Topic.InvoiceIssued, (e) => e.invoiceId === res.body.id);
      expect(issued.headers.producer).toBe('invoicing');
      expect(issued.event).toMatchObject({
        customerId: customer.id,
        number: 'INV-2025-000123',
        status: ProtoStatus.OPEN,
        openAmount: { amount: '1234.50', currency: 'CNY' },
        source: { sourceSystem: source.sourceSystem, externalId: source.externalId },
      });
      expect(issued.event.lines).toHaveLength(1);

      const get = await h.request('GET', `/api/v1/invoices/${res.body.id}`);
      expect(get.status).toBe(200);
      expect(get.body).toEqual(res.body);
    });

    it('finds the customer by its source reference and keeps that reference', async () => {
      const source = invoiceSource();
      const res = await h.put(source, body({ customerId: undefined, customer: customer.sources[0] }));

      expect(res.status).toBe(201);
      expect(res.body.customerId).toBe(customer.id);
      const issued = await h.events.waitFor(Topic.InvoiceIssued, (e) => e.invoiceId === res.body.id);
      expect(issued.event.customerSource).toMatchObject(customer.sources[0] as SourceRef);
    });

    it('answers the same body again with 200 and emits nothing', async () => {
      const source = invoiceSource();
      const first = await h.put(source, body());
      const outboxBefore = await h.count(OUTBOX_WRITES_SQL);
      const again = await h.put(source, body());

      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
      expect(await h.count(OUTBOX_WRITES_SQL)).toBe(outboxBefore);
      expect(
        await h.count(`SELECT count(*) AS n FROM invoices WHERE external_id = $1`, [source.externalId]),
      ).toBe(1);
    });

    it('updates (200) and emits invoice-changed naming what changed', async () => {
      const source = invoiceSource();
      const created = await h.put(source, body());
      const res = await h.put(
        source,
        // The line follows the total: lines given must add up to it (LINES_TOTAL_MISMATCH otherwise).
        body({
          dueDate: isoDay(45),
          total: { amount: '1500.00', currency: 'CNY' },
          lines: [{ description: 'Consulting', amount: { amount: '1500.00', currency: 'CNY' } }],
        }),
      );

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        id: created.body.id,
        dueDate: isoDay(45),
        openAmount: { amount: '1500.00' },
      });
      const changed = await h.events.waitFor(Topic.InvoiceChanged, (e) => e.invoiceId === created.body.id);
      expect(changed.event.changedFields).toEqual([
        InvoiceField.DUE_DATE,
        InvoiceField.TOTAL,
        InvoiceField.OPEN_AMOUNT,
        InvoiceField.LINES,
      ]);
      expect(changed.event.openAmount).toMatchObject({ amount: '1500.00', currency: 'CNY' });
    });

    it('issues an invoice that arrives past due as overdue, with invoice-overdue', async () => {
      const res = await h.put(invoiceSource(), body({ issueDate: isoDay(-40), dueDate: isoDay(-10) }));

      expect(res.status).toBe(201);
      expect(res.body.status).toBe('overdue');
      const overdue = await h.events.waitFor(Topic.InvoiceOverdue, (e) => e.invoiceId === res.body.id);
      expect(overdue.event.timeZone).toBe('Asia/Shanghai');
      const issued = await h.events.waitFor(Topic.InvoiceIssued, (e) => e.invoiceId === res.body.id);
      expect(issued.event.status).toBe(ProtoStatus.OVERDUE);
    });

    it('asks the customers API when the read model does not know the customer yet, by id and by source', async () => {
      const remote = {
        id: randomUUID(),
        timeZone: 'America/New_York',
        sources: [{ sourceSystem: 'kingdee', externalId: `K-${randomUUID().slice(0, 6)}` }],
      };
      h.customersApi.customers.push(remote);

      const byId = await h.put(invoiceSource(), body({ customerId: remote.id }));
      expect(byId.status).toBe(201);
      expect(byId.body).toMatchObject({ customerId: remote.id, timeZone: 'America/New_York' });
      expect(await h.count(`SELECT count(*) AS n FROM customers WHERE id = $1`, [remote.id])).toBe(1);

      const bySource = await h.put(
        invoiceSource(),
        body({ customerId: undefined, customer: remote.sources[0] }),
      );
      expect(bySource.status).toBe(201);
      expect(bySource.body.customerId).toBe(remote.id);
      expect(h.customersApi.requests).toContain(`/api/v1/customers/${remote.id}`);
    });
  });

  describe('refuses bad input, naming the field, and stores nothing', () => {
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['missing number', { number: undefined }, 400, 'number'],
      ['empty number', { number: '' }, 400, 'number'],
      ['missing issueDate', { issueDate: undefined }, 400, 'issueDate'],
      ['missing dueDate', { dueDate: undefined }, 400, 'dueDate'],
      ['missing total', { total: undefined }, 400, 'total'],
      ['an impossible date', { issueDate: '2025-02-30' }, 400, 'issueDate'],
      ['a date that is not YYYY-MM-DD', { dueDate: '31/03/2030' }, 400, 'dueDate'],
      ['a timestamp for a date', { dueDate: '2030-03-31T00:00:00Z' }, 400, 'dueDate'],
      ['a due date before the issue date', { issueDate: isoDay(-1), dueDate: isoDay(-2) }, 400, 'dueDate'],
      ['a negative total', { total: { amount: '-10.00', currency: 'CNY' } }, 422, 'total.amount'],
      ['a zero total', { total: { amount: '0.00', currency: 'CNY' } }, 422, 'total.amount'],
      ['an amount given as a number', { total: { amount: 10, currency: 'CNY' } }, 400, 'total.amount'],
      ['too many decimals', { total: { amount: '10.001', currency: 'CNY' } }, 422, 'total.amount'],
      ['an unknown currency', { total: { amount: '10.00', currency: 'XYZ' } }, 422, 'total.currency'],
      ['a lower-case currency', { total: { amount: '10.00', currency: 'cny' } }, 422, 'total.currency'],
      [
        'a line in another currency',
        { lines: [{ description: 'x', amount: { amount: '10.00', currency: 'USD' } }] },
        422,
        'lines[0].amount.currency',
      ],
      [
        'a quantity that is not a decimal',
        { lines: [{ description: 'x', quantity: '1,5', amount: { amount: '1', currency: 'CNY' } }] },
        400,
        'lines[0].quantity',
      ],
      ['a customerId that is not a UUID', { customerId: 'cust-1' }, 400, 'customerId'],
      ['an unknown customerId', { customerId: '9f1c7a52-0000-4000-8000-000000000000' }, 404, 'customerId'],
      [
        'an unknown customer reference',
        { customerId: undefined, customer: { sourceSystem: 'sap', externalId: 'nobody' } },
        404,
        'customer',
      ],
      [
        'both customerId and customer',
        { customer: { sourceSystem: 'sap', externalId: 'C-1' } },
        400,
        'customer',
      ],
      ['neither customerId nor customer', { customerId: undefined }, 400, 'customerId'],
      ['an unknown field', { discount: '5%' }, 400, 'discount'],
    ];

    it.each(cases)('%s', async (_what, overrides, status, field) => {
      const source = invoiceSource();
      const outboxBefore = await h.count(OUTBOX_WRITES_SQL);
      const res = await h.put(source, body(overrides));

      expect(res.status).toBe(status);
      expect(res.body.error.details.map((d) => d.field)).toContain(field);
      expect(
        await h.count(`SELECT count(*) AS n FROM invoices WHERE external_id = $1`, [source.externalId]),
      ).toBe(0);
      expect(await h.count(OUTBOX_WRITES_SQL)).toBe(outboxBefore);
    });

    it('answers 503 CUSTOMERS_UNAVAILABLE when the customers API fails, and stores nothing', async () => {
      const id = randomUUID();
      h.customersApi.failing.add(id);
      const source = invoiceSource();
      const res = await h.put(source, body({ customerId: id }));
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('CUSTOMERS_UNAVAILABLE');
      expect(
        await h.count(`SELECT count(*) AS n FROM invoices WHERE external_id = $1`, [source.externalId]),
      ).toBe(0);
      expect(await h.count(`SELECT count(*) AS n FROM customers WHERE id = $1`, [id])).toBe(0);
    });

    it('names the code of an unknown customer', async () => {
      const res = await h.put(invoiceSource(), body({ customerId: '9f1c7a52-0000-4000-8000-000000000001' }));
      expect(res.body.error.code).toBe('CUSTOMER_NOT_FOUND');
    });
  });

  describe('GET', () => {
    it('answers 404 INVOICE_NOT_FOUND for an unknown id and for one that is not a UUID', async () => {
      for (const id of [randomUUID(), 'not-a-uuid', '1%27%20OR%201=1']) {
        const res = await h.request('GET', `/api/v1/invoices/${id}`);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('INVOICE_NOT_FOUND');
      }
    });

    it('lists a customer invoices, filtered by status', async () => {
      const other = await h.seedCustomer();
      const open = await h.put(invoiceSource(), body({ customerId: other.id }));
      const overdue = await h.put(
        invoiceSource(),
        body({ customerId: other.id, issueDate: isoDay(-30), dueDate: isoDay(-3) }),
      );

      const all = await h.request('GET', `/api/v1/invoices?customerId=${other.id}`);
      expect(all.status).toBe(200);
      expect(all.body.items.map((i) => i.id)).toEqual([overdue.body.id, open.body.id]);
      expect(all.body.nextOffset).toBeNull();

      const onlyOverdue = await h.request('GET', `/api/v1/invoices?customerId=${other.id}&status=overdue`);
      expect(onlyOverdue.body.items.map((i) => i.id)).toEqual([overdue.body.id]);

      const firstPage = await h.request('GET', `/api/v1/invoices?customerId=${other.id}&limit=1`);
      expect(firstPage.body.items).toHaveLength(1);
      expect(firstPage.body.nextOffset).toBe(1);

      const emptyFilters = await h.request('GET', `/api/v1/invoices?customerId=&status=&limit=500`);
      expect(emptyFilters.status).toBe(200);
      expect(emptyFilters.body.items.length).toBeGreaterThanOrEqual(2);

      const bad = await h.request('GET', `/api/v1/invoices?status=late`);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0]?.field).toBe('status');
    });
  });

  describe('POST /api/v1/invoices/{id}/void', () => {
    it('voids (200), emits invoice-voided and invoice-changed, and refuses a second void and any update (409)', async () => {
      const source = invoiceSource();
      const created = await h.put(source, body());
      const res = await h.request('POST', `/api/v1/invoices/${created.body.id}/void`, {
        reason: 'issued twice',
      });

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'void',
        openAmount: { amount: '0.00' },
        voidReason: 'issued twice',
      });
      const voided = await h.events.waitFor(Topic.InvoiceVoided, (e) => e.invoiceId === created.body.id);
      expect(voided.event).toMatchObject({ reason: 'issued twice', voidedOpenAmount: { amount: '1234.50' } });
      const changed = await h.events.waitFor(Topic.InvoiceChanged, (e) => e.invoiceId === created.body.id);
      expect(changed.event.status).toBe(ProtoStatus.VOID);

      const again = await h.request('POST', `/api/v1/invoices/${created.body.id}/void`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('INVOICE_VOIDED');
      const update = await h.put(source, body({ number: 'INV-NEW' }));
      expect(update.status).toBe(409);
      expect((await h.request('GET', `/api/v1/invoices/${created.body.id}`)).body.number).toBe(
        'INV-2025-000123',
      );
    });

    it('answers 404 for an unknown invoice', async () => {
      const res = await h.request('POST', `/api/v1/invoices/${randomUUID()}/void`);
      expect(res.status).toBe(404);
    });
  });
});
