import { randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import { untypedSchemas } from '@duemap/http';
import { ApiClient, eventually, isoDate, type Money } from './api-client';
import { ResponseContract, type OpenApiDocument } from './openapi-contract';
import { startStack, type Stack } from './stack';

interface Customer {
  id: string;
  location: { state: string };
}
interface Invoice {
  id: string;
  status: string;
}
interface Reminder {
  status: string;
}
interface MapFeatures {
  features: { properties: { customerId?: string; cluster?: boolean } }[];
}

const cny = (amount: string): Money => ({ amount, currency: 'CNY' });
const success = (status: number): boolean => status < 300;

/**
 * The document at /api/openapi.json is what client generators read: it must be valid OpenAPI,
 * and each response it documents must describe what the API really answers. Every documented
 * success response is met at least once here, through the gateway, against the whole platform.
 */
describe('the published OpenAPI document', () => {
  let stack: Stack;
  let api: ApiClient;
  let document: OpenApiDocument;
  let contract: ResponseContract;
  const erp = `sap-${randomUUID().slice(0, 8)}`;
  let located: Customer;
  let bare: Customer;
  let invoiceA: Invoice;
  let invoiceB: Invoice;
  let voided: Invoice;

  /** The mismatches found since the last look, each with the body that broke the schema. */
  const problems = (): string[] => contract.problems.splice(0);

  beforeAll(async () => {
    stack = await startStack({ env: { OVERDUE_SCAN_INTERVAL: '500ms' } });
    // An admin: the document includes the gateway's own resources (API keys, the audit trail).
    api = new ApiClient(stack.gatewayUrl, { token: await stack.token({ roles: ['admin'] }) });
    const res = await api.get<OpenApiDocument>('/api/openapi.json');
    expect(res.status).toBe(200);
    document = res.body;
    contract = new ResponseContract(document, api);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('is valid OpenAPI, merged from every service, with a type for every property', async () => {
    expect(document.info.description).not.toContain('Not reachable');
    for (const prefix of ['customers', 'invoices', 'payments', 'map', 'reminders']) {
      expect(Object.keys(document.paths).some((p) => p.startsWith(`/api/v1/${prefix}`))).toBe(true);
    }
    // validate() dereferences the object it is given: hand it a copy.
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined();
    expect(untypedSchemas(document)).toEqual([]);
  });

  it('describes the customers as they are answered', async () => {
    const full = {
      name: '上海明远贸易有限公司',
      taxId: `91310000${randomUUID().slice(0, 8)}`,
      tier: 'vip',
      address: {
        country: 'CN',
        province: '上海市',
        city: '上海市',
        district: '浦东新区',
        line1: '世纪大道 100 号',
      },
      timeZone: 'Asia/Shanghai',
      currency: 'CNY',
      locale: 'zh-CN',
      creditLimit: cny('500000.00'),
      contacts: [{ name: '李娜', email: 'ap@example.cn', phone: '+8613800138000', role: 'accounts payable' }],
      salesTerritory: 'east-china',
    };
    const created = await contract.call<Customer>(
      'PUT /api/v1/customers/{sourceSystem}/{externalId}',
      { sourceSystem: erp, externalId: 'C-1' },
      { body: full },
    );
    expect(created.status).toBe(201);
    located = created.body;
    const updated = await contract.call(
      'PUT /api/v1/customers/{sourceSystem}/{externalId}',
      { sourceSystem: erp, externalId: 'C-1' },
      { body: { ...full, salesTerritory: null } },
    );
    expect(updated.status).toBe(200);
    // A second customer next door (the map clusters the two) and one with nothing but a name.
    const neighbour = await contract.call(
      'PUT /api/v1/customers/{sourceSystem}/{externalId}',
      { sourceSystem: erp, externalId: 'C-2' },
      { body: { name: '上海浦江物流有限公司', address: { ...full.address, line1: '世纪大道 200 号' } } },
    );
    expect(neighbour.status).toBe(201);
    const nameOnly = await contract.call<Customer>(
      'PUT /api/v1/customers/{sourceSystem}/{externalId}',
      { sourceSystem: erp, externalId: 'C-3' },
      { body: { name: 'Acme Trading Ltd' } },
    );
    expect(nameOnly.status).toBe(201);
    bare = nameOnly.body;

    located = (
      await eventually(
        'the customer located',
        () => contract.call<Customer>('GET /api/v1/customers/{id}', { id: located.id }),
        (res) => res.body.location.state === 'located',
      )
    ).body;
    await contract.call('GET /api/v1/customers/{id}', { id: bare.id });
    await contract.call('GET /api/v1/customers/by-source/{sourceSystem}/{externalId}', {
      sourceSystem: erp,
      externalId: 'C-3',
    });
    const page = await contract.call<{ nextCursor: string | null }>(
      'GET /api/v1/customers',
      {},
      {
        query: { limit: '1' },
      },
    );
    expect(page.body.nextCursor).toEqual(expect.any(String));
    await contract.call('GET /api/v1/customers', {}, { query: { cursor: page.body.nextCursor ?? '' } });
    expect(problems()).toEqual([]);
  });

  it('describes the invoices as they are answered', async () => {
    const invoice = (number: string, dueDate: string) => ({
      customerId: located.id,
      number,
      issueDate: isoDate(-30),
      dueDate,
      total: cny('1000.00'),
      lines: [
        {
          description: 'Consulting, March',
          quantity: '2',
          unitPrice: cny('442.48'),
          amount: cny('1000.00'),
          tax: cny('115.04'),
        },
      ],
    });
    const upsert = 'PUT /api/v1/invoices/{sourceSystem}/{externalId}';
    const a = await contract.call<Invoice>(
      upsert,
      { sourceSystem: erp, externalId: 'INV-A' },
      {
        body: invoice('INV-A', isoDate(20)),
      },
    );
    expect(a.status).toBe(201);
    invoiceA = a.body;
    const again = await contract.call(
      upsert,
      { sourceSystem: erp, externalId: 'INV-A' },
      {
        body: invoice('INV-A', isoDate(20)),
      },
    );
    expect(again.status).toBe(200);
    // Named by the customer's source record, and past due: it turns overdue.
    const b = await contract.call<Invoice>(
      upsert,
      { sourceSystem: erp, externalId: 'INV-B' },
      {
        body: {
          customer: { sourceSystem: erp, externalId: 'C-2' },
          number: 'INV-B',
          issueDate: isoDate(-40),
          dueDate: isoDate(-2),
          total: cny('300.00'),
        },
      },
    );
    expect(b.status).toBe(201);
    invoiceB = b.body;
    const c = await contract.call<Invoice>(
      upsert,
      { sourceSystem: erp, externalId: 'INV-C' },
      {
        body: invoice('INV-C', isoDate(10)),
      },
    );
    voided = (
      await contract.call<Invoice>(
        'POST /api/v1/invoices/{id}/void',
        { id: c.body.id },
        {
          body: { reason: 'Issued twice in the ERP' },
        },
      )
    ).body;
    expect(voided.status).toBe('void');

    await eventually(
      'invoice B overdue',
      () => contract.call<Invoice>('GET /api/v1/invoices/{id}', { id: invoiceB.id }),
      (res) => res.body.status === 'overdue',
    );
    await contract.call('GET /api/v1/invoices/{id}', { id: voided.id });
    const page = await contract.call<{ nextOffset: number | null }>(
      'GET /api/v1/invoices',
      {},
      {
        query: { customerId: located.id, limit: '1' },
      },
    );
    expect(page.body.nextOffset).toBe(1);
    await contract.call('GET /api/v1/invoices', {}, { query: { customerId: located.id, offset: '1' } });
    expect(problems()).toEqual([]);
  });

  it('describes the payments as they are answered', async () => {
    const payment = {
      customerId: located.id,
      amount: cny('1200.00'),
      receivedAt: new Date().toISOString(),
      method: 'bank_transfer',
      reference: 'INV-A',
      allocations: [{ invoiceId: invoiceA.id, amount: cny('400.00') }],
    };
    // Payments learns of invoice A from invoicing's events.
    const created = await eventually(
      'the payment recorded',
      () =>
        contract.call<{ id: string }>(
          'POST /api/v1/payments',
          {},
          {
            body: payment,
            headers: { 'Idempotency-Key': `contract-${erp}` },
          },
        ),
      (res) => res.status === 201,
    );
    await contract.call('GET /api/v1/payments/{id}', { id: created.body.id });
    // Without allocations: oldest due first, the rest unapplied.
    await contract.call(
      'POST /api/v1/payments',
      {},
      {
        body: { ...payment, allocations: undefined, reference: '' },
        headers: { 'Idempotency-Key': `contract-${erp}-2` },
      },
    );
    expect(problems()).toEqual([]);
  });

  it('describes the map as it is answered: pins, clusters and region roll-ups', async () => {
    const pins = await eventually(
      'two pins on the map',
      () => contract.call<MapFeatures>('GET /api/v1/map/customers'),
      (res) => res.body.features.filter((f) => f.properties.customerId !== undefined).length >= 2,
    );
    expect(pins.status).toBe(200);
    const clustered = await contract.call<MapFeatures>(
      'GET /api/v1/map/customers',
      {},
      {
        query: { zoom: '2', bbox: '73.5,18.1,135.1,53.6' },
      },
    );
    expect(clustered.body.features.some((f) => f.properties.cluster === true)).toBe(true);
    await contract.call('GET /api/v1/map/regions');
    await contract.call('GET /api/v1/map/unlocated');
    const listed = await contract.call<{ items: unknown[] }>(
      'GET /api/v1/map/list',
      {},
      { query: { bbox: '73.5,18.1,135.1,53.6', sort: 'priority', limit: '5' } },
    );
    expect(listed.body.items.length).toBeGreaterThan(0);
    const live = await contract.call<string>('GET /api/v1/map/live', {}, { query: { maxSeconds: '1' } });
    expect(live.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const countries = await contract.call('GET /api/v1/map/boundaries', {}, { query: { level: 'country' } });
    expect(countries.status).toBe(200);
    await contract.call('GET /api/v1/map/boundaries', {}, { query: { level: 'province', region: 'CN' } });
    await contract.call('GET /api/v1/map/regions', {}, { query: { level: 'country', country: 'CN' } });
    const customerIds = pins.body.features.flatMap((f) => f.properties.customerId ?? []).slice(0, 2);
    const route = await contract.call<{ stops: unknown[] }>(
      'POST /api/v1/map/routes',
      {},
      {
        body: {
          start: { lat: 31.2304, lng: 121.4737 },
          customerIds,
          returnToStart: true,
          weighting: 'overdue',
          timeWindows: [{ customerId: customerIds[0], earliest: '09:00', latest: '17:00' }],
          schedule: { departure: '08:30' },
        },
      },
    );
    expect(route.status).toBe(200);
    expect(route.body.stops).toHaveLength(customerIds.length);
    expect(problems()).toEqual([]);
  });

  it('describes the reminders as they are answered', async () => {
    // Invoice A's are scheduled, or cancelled once the payments above have paid it.
    await eventually(
      'reminders of invoice A',
      () => contract.call<Reminder[]>('GET /api/v1/reminders', {}, { query: { invoiceId: invoiceA.id } }),
      (res) => res.status === 200 && res.body.length > 0,
    );
    // Invoice B was past due when it arrived: its earlier steps are skipped, with the reason.
    await eventually(
      'reminders of invoice B',
      () => contract.call<Reminder[]>('GET /api/v1/reminders', {}, { query: { invoiceId: invoiceB.id } }),
      (res) => res.status === 200 && res.body.some((r) => r.status !== 'scheduled'),
    );
    await contract.call('GET /api/v1/reminders', {}, { query: { customerId: located.id } });
    // The delivery log of the same reminders (empty until one is due), and a refused filter.
    const log = await contract.call('GET /api/v1/deliveries', {}, { query: { customerId: located.id } });
    expect(log.status).toBe(200);
    const unfiltered = await contract.call('GET /api/v1/deliveries');
    expect(unfiltered.status).toBe(400);
    expect(problems()).toEqual([]);
  });

  it("describes the gateway's own resources as they are answered: who am I, API keys, the audit trail", async () => {
    const me = await contract.call('GET /api/v1/me');
    expect(me.status).toBe(200);
    const issued = await contract.call<{ id: string }>(
      'POST /api/v1/api-keys',
      {},
      { body: { name: `contract-${erp}`, roles: ['integration'], sources: [erp] } },
    );
    expect(issued.status).toBe(201);
    await contract.call('GET /api/v1/api-keys');
    const rotated = await contract.call<{ id: string }>(
      'POST /api/v1/api-keys/{id}/rotate',
      { id: issued.body.id },
      { body: {} },
    );
    expect(rotated.status).toBe(201);
    const revoked = await contract.call('DELETE /api/v1/api-keys/{id}', { id: rotated.body.id });
    expect(revoked.status).toBe(200);
    // The audit trail is written off the request path, in batches.
    await eventually(
      'the calls above in the audit trail',
      () => contract.call<{ items: unknown[] }>('GET /api/v1/audit', {}, { query: { limit: '5' } }),
      (res) => res.status === 200 && res.body.items.length > 0,
    );
    expect(problems()).toEqual([]);
  });

  it('describes the webhook subscriptions as they are answered', async () => {
    // TEST-NET-1 (192.0.2.0/24): public, accepted without DNS, and nobody answers there.
    const created = await contract.call<{ id: string; secret: string }>(
      'POST /api/v1/subscriptions',
      {},
      { body: { url: 'https://192.0.2.10/contract', eventTypes: ['customers.credit-rating-changed.v1'] } },
    );
    expect(created.status).toBe(201);
    expect(created.body.secret).toMatch(/^whsec_/);
    const refused = await contract.call(
      'POST /api/v1/subscriptions',
      {},
      { body: { url: 'http://169.254.169.254/latest', eventTypes: ['customers.credit-rating-changed.v1'] } },
    );
    expect(refused.status).toBe(422);
    await contract.call('GET /api/v1/subscriptions');
    await contract.call('GET /api/v1/subscriptions/{id}', { id: created.body.id });
    const letters = await contract.call('GET /api/v1/subscriptions/{id}/dead-letters', {
      id: created.body.id,
    });
    expect(letters.status).toBe(200);
    const again = await contract.call(
      'POST /api/v1/subscriptions/{id}/redeliver',
      { id: created.body.id },
      { body: {} },
    );
    expect(again.status).toBe(200);
    const deleted = await contract.call('DELETE /api/v1/subscriptions/{id}', { id: created.body.id });
    expect(deleted.status).toBe(200);
    const gone = await contract.call('GET /api/v1/subscriptions/{id}', { id: created.body.id });
    expect(gone.status).toBe(404);
    expect(problems()).toEqual([]);
  });

  it('describes the bank statement import as it is answered', async () => {
    // A one-entry camt.053 of its own: the contract does not depend on files outside the repository.
    const camt = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>',
      `<GrpHdr><MsgId>C-${erp}</MsgId><CreDtTm>2025-01-02T10:00:00</CreDtTm></GrpHdr>`,
      `<Stmt><Id>S-${erp}</Id><Acct><Id><IBAN>CH9300762011623852957</IBAN></Id><Ccy>CHF</Ccy></Acct>`,
      '<Ntry><Amt Ccy="CHF">1200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>',
      `<BookgDt><Dt>${isoDate(0)}</Dt></BookgDt><AcctSvcrRef>B-${erp}</AcctSvcrRef><NtryDtls><TxDtls>`,
      `<Refs><EndToEndId>E-${erp}</EndToEndId></Refs><RltdPties><Dbtr><Pty><Nm>ACME</Nm></Pty></Dbtr></RltdPties>`,
      '<RmtInf><Ustrd>INV-A</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry></Stmt></BkToCstmrStmt></Document>',
    ].join('\n');
    const headers = { 'content-type': 'application/xml' };
    const created = await contract.call<{ id: string; candidates: number }>(
      'POST /api/v1/bank-statements',
      {},
      { body: camt, headers },
    );
    expect(created.status).toBe(201);
    expect(created.body.candidates).toBe(1);
    const again = await contract.call<{ id: string; duplicates: number }>(
      'POST /api/v1/bank-statements',
      {},
      { body: camt, headers },
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: created.body.id, duplicates: 1 });
    const read = await contract.call('GET /api/v1/bank-statements/{id}', { id: created.body.id });
    expect(read.status).toBe(200);
    // Cash application turns the CHF credit (no CHF invoice anywhere) into a payment for review.
    const listed = await eventually(
      'the statement credit in the worklist',
      () =>
        contract.call<{ items: { id: string; status: string }[] }>(
          'GET /api/v1/payments',
          {},
          { query: { statementId: created.body.id, status: 'needs_review' } },
        ),
      (res) => res.body.items.length === 1,
    );
    const inReview = (listed.body.items[0] as { id: string }).id;
    const decided = await contract.call<{ status: string }>(
      'POST /api/v1/payments/{id}/apply',
      { id: inReview },
      { body: { customerId: located.id } },
    );
    expect(decided.status).toBe(200);
    const refunded = await contract.call(
      'POST /api/v1/payments/{id}/refunds',
      { id: inReview },
      {
        body: { amount: { amount: '200.00', currency: 'CHF' }, method: 'bank_transfer' },
        headers: { 'Idempotency-Key': `contract-refund-${erp}` },
      },
    );
    expect(refunded.status).toBe(201);
    const tooMuch = await contract.call(
      'POST /api/v1/payments/{id}/refunds',
      { id: inReview },
      {
        body: { amount: { amount: '5000.00', currency: 'CHF' }, method: 'bank_transfer' },
        headers: { 'Idempotency-Key': `contract-refund-${erp}-2` },
      },
    );
    expect(tooMuch.status).toBe(422);
    const reversed = await contract.call(
      'POST /api/v1/payments/{id}/reverse',
      { id: inReview },
      { body: { reason: 'returned' } },
    );
    expect(reversed.status).toBe(200);
    const reversedTwice = await contract.call(
      'POST /api/v1/payments/{id}/reverse',
      { id: inReview },
      { body: { reason: 'returned' } },
    );
    expect(reversedTwice.status).toBe(409);
    const truncated = await contract.call(
      'POST /api/v1/bank-statements',
      {},
      { body: camt.slice(0, 400), headers },
    );
    expect(truncated.status).toBe(422);
    const missing = await contract.call('GET /api/v1/bank-statements/{id}', { id: randomUUID() });
    expect(missing.status).toBe(404);
    expect(problems()).toEqual([]);
  });

  it('describes the errors as they are answered', async () => {
    const missing = randomUUID();
    const notFound = await contract.call('GET /api/v1/customers/{id}', { id: missing });
    expect(notFound.status).toBe(404);
    await contract.call('GET /api/v1/invoices/{id}', { id: missing });
    await contract.call('GET /api/v1/payments/{id}', { id: missing });
    const invalid = await contract.call(
      'PUT /api/v1/customers/{sourceSystem}/{externalId}',
      { sourceSystem: erp, externalId: 'C-4' },
      { body: { name: '', address: { country: 'Shanghai' } } },
    );
    expect(invalid.status).toBe(400);
    const noKey = await contract.call('POST /api/v1/payments', {}, { body: {} });
    expect(noKey.status).toBe(400);
    const again = await contract.call('POST /api/v1/invoices/{id}/void', { id: voided.id }, { body: {} });
    expect(again.status).toBe(409);
    const badMoney = await contract.call(
      'PUT /api/v1/invoices/{sourceSystem}/{externalId}',
      { sourceSystem: erp, externalId: 'INV-D' },
      {
        body: {
          customerId: located.id,
          number: 'INV-D',
          issueDate: isoDate(0),
          dueDate: isoDate(0),
          total: cny('1e3'),
        },
      },
    );
    expect(badMoney.status).toBe(422);
    expect(problems()).toEqual([]);
  });

  it('has met every success response it documents', () => {
    expect(contract.documentedResponses(success).length).toBeGreaterThanOrEqual(15);
    expect(contract.unseen(success)).toEqual([]);
  });
});
