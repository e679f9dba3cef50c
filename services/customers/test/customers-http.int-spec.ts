import { CustomerTier, Topic, type AddressChanged, type CustomerUpserted } from '@duemap/events';
import { identityHeaders, OUTBOX_WRITES_SQL, waitFor } from '@duemap/testing';
import { startCustomers, shenzhen, type ApiResponse, type CustomersHarness } from './customers-harness';

describe('customers over HTTP', () => {
  let h: CustomersHarness;

  beforeAll(async () => {
    h = await startCustomers('customers_http');
  });

  afterAll(async () => {
    await h?.close();
  });

  const body = {
    name: '深圳市南山科技有限公司',
    taxId: '91440300MA5FXXXX1X',
    tier: 'vip',
    address: shenzhen,
    creditLimit: { amount: '500000.00', currency: 'CNY' },
    contacts: [
      { name: '李娜', email: 'ap@example.cn', phone: '+86 138 0013 8000', role: 'AP', locale: 'zh-cn' },
    ],
    salesTerritory: 'south-china',
  };

  it('creates (201), reads back, answers the same body with 200 and no event, updates with 200', async () => {
    const created = await h.put('/api/v1/customers/sap-ecc-cn/0000100234', body);
    expect(created.status).toBe(201);
    const customer = created.body;
    expect(customer).toMatchObject({
      name: body.name,
      taxId: '91440300MA5FXXXX1X',
      tier: 'vip',
      sources: [{ sourceSystem: 'sap-ecc-cn', externalId: '0000100234' }],
      address: shenzhen,
      timeZone: 'Asia/Shanghai',
      currency: 'CNY',
      locale: 'zh-CN',
      creditLimit: { amount: '500000.00', currency: 'CNY' },
      contacts: [
        { name: '李娜', email: 'ap@example.cn', phone: '+8613800138000', role: 'AP', locale: 'zh-CN' },
      ],
      status: 'paid',
      balance: {
        outstanding: { amount: '0.00', currency: 'CNY' },
        overdue: { amount: '0.00', currency: 'CNY' },
        unappliedCredit: { amount: '0.00', currency: 'CNY' },
      },
      balances: [],
      creditRating: null,
      location: expect.objectContaining({ state: 'pending', lat: null, lng: null, reason: null }),
    });
    expect(customer.id).toMatch(/^[0-9a-f-]{36}$/);

    expect((await h.get(`/api/v1/customers/${customer.id}`)).body).toEqual(customer);
    expect((await h.get('/api/v1/customers/by-source/sap-ecc-cn/0000100234')).body).toEqual(customer);

    const again = await h.put('/api/v1/customers/sap-ecc-cn/0000100234', body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(customer);

    const renamed = await h.put('/api/v1/customers/sap-ecc-cn/0000100234', { name: '南山科技' });
    expect(renamed.status).toBe(200);
    // Fields left out are kept (another ERP may have set them).
    expect(renamed.body).toMatchObject({ id: customer.id, name: '南山科技', tier: 'vip', address: shenzhen });
    expect(renamed.body.updatedAt > customer.updatedAt).toBe(true);

    // The create and the rename: two customer-upserted, one address-changed; the no-op none.
    const upserts = await waitFor('two customer-upserted', () => {
      const list = h.seen.filter((s) => s.topic === Topic.CustomerUpserted && s.key === customer.id);
      return list.length >= 2 ? list : undefined;
    });
    const [first, second] = upserts.map((s) => s.event as CustomerUpserted);
    expect(first).toMatchObject({
      customerId: customer.id,
      created: true,
      name: body.name,
      taxId: '91440300MA5FXXXX1X',
      tier: CustomerTier.VIP,
      timeZone: 'Asia/Shanghai',
      locale: 'zh-CN',
      salesTerritory: 'south-china',
      creditLimit: { amount: '500000.00', currency: 'CNY' },
    });
    expect(first?.sources.map((s) => [s.sourceSystem, s.externalId])).toEqual([['sap-ecc-cn', '0000100234']]);
    expect(first?.address).toMatchObject({
      countryCode: 'CN',
      region: '广东省',
      city: '深圳市',
      district: '南山区',
      postalCode: '518057',
      streetLines: [shenzhen.line1],
      singleLine: '广东省深圳市南山区科技园南区高新南七道18号',
    });
    expect(first?.contacts[0]).toMatchObject({
      name: '李娜',
      email: 'ap@example.cn',
      phone: '+8613800138000',
    });
    expect(second).toMatchObject({ created: false, name: '南山科技' });
    const moves = h.seen.filter((s) => s.topic === Topic.AddressChanged && s.key === customer.id);
    expect(moves).toHaveLength(1);
    expect((moves[0]?.event as AddressChanged).previousAddress).toBeUndefined();
    // Nothing more arrives for the no-op request.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(h.seen.filter((s) => s.topic === Topic.CustomerUpserted && s.key === customer.id)).toHaveLength(2);
  });

  it('merges a record of another ERP with the same tax id into the customer', async () => {
    const a = await h.put('/api/v1/customers/kingdee/C-77', { name: 'Merge Co', taxId: 'DE 123 456 789' });
    expect(a.status).toBe(201);
    const b = await h.put('/api/v1/customers/oracle-ebs/88001', {
      name: 'Merge Co GmbH',
      taxId: 'de123456789',
    });
    expect(b.status).toBe(200);
    expect(b.body.id).toBe(a.body.id);
    expect(b.body.sources).toEqual([
      { sourceSystem: 'kingdee', externalId: 'C-77' },
      { sourceSystem: 'oracle-ebs', externalId: '88001' },
    ]);
    expect((await h.get('/api/v1/customers/by-source/oracle-ebs/88001')).body.id).toBe(a.body.id);
    const event = await waitFor('the merge event', () => {
      const found = h.seen
        .filter((s) => s.topic === Topic.CustomerUpserted && s.key === a.body.id)
        .map((s) => s.event as CustomerUpserted)
        .find((e) => e.sources.length === 2);
      return found;
    });
    expect(event.created).toBe(false);

    // Moving a customer onto another customer's tax id is not a merge: 409, nothing changes.
    await h.put('/api/v1/customers/kingdee/C-78', { name: 'Other', taxId: 'FR999' });
    const conflict = await h.put('/api/v1/customers/kingdee/C-78', { name: 'Other', taxId: 'DE123456789' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({ code: 'TAX_ID_CONFLICT', details: [{ field: 'taxId' }] });
    expect((await h.get('/api/v1/customers/by-source/kingdee/C-78')).body.taxId).toBe('FR999');
  });

  it('creates one customer when the same record or tax id arrives concurrently', async () => {
    const same = await Promise.all(
      Array.from({ length: 6 }, () => h.put('/api/v1/customers/race/R-1', { name: 'Race Co' })),
    );
    expect(same.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(same.map((r) => r.body.id)).size).toBe(1);

    const merged = await Promise.all(
      ['a', 'b', 'c', 'd'].map((s) =>
        h.put(`/api/v1/customers/race-${s}/R-2`, { name: 'Tax Race', taxId: 'RACE-2' }),
      ),
    );
    expect(merged.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(merged.map((r) => r.body.id)).size).toBe(1);
    const final = await h.get(`/api/v1/customers/${merged[0]?.body.id}`);
    expect(final.body.sources).toHaveLength(4);
  });

  it('refuses bad input naming the fields, and stores nothing', async () => {
    const count = async () => Number((await h.sql.query('SELECT count(*) FROM customers')).rows[0].count);
    const before = await count();
    const outboxBefore = Number((await h.sql.query(OUTBOX_WRITES_SQL)).rows[0].n);

    const bad = await h.put('/api/v1/customers/sap/BAD-1', {
      tier: 'gold',
      address: { country: 'XX', city: 'Nowhere' },
      timeZone: 'Mars/Olympus',
      currency: 'ABC',
      contacts: [{ name: 'x', email: 'not-an-email' }],
      colour: 'red',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const fields = (bad.body.error.details as { field: string }[]).map((d) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'name',
        'tier',
        'address.country',
        'timeZone',
        'currency',
        'contacts[0].email',
        'colour',
      ]),
    );

    const money = await h.put('/api/v1/customers/sap/BAD-2', {
      name: 'Money',
      creditLimit: { amount: '1,000.00', currency: 'CNY' },
    });
    expect(money.status).toBe(422);
    expect(money.body.error.details[0]?.field).toBe('creditLimit.amount');
    const currency = await h.put('/api/v1/customers/sap/BAD-3', {
      name: 'Money',
      creditLimit: { amount: '1.00', currency: 'XYZ' },
    });
    expect(currency.status).toBe(422);
    expect(currency.body.error.details[0]?.field).toBe('creditLimit.currency');

    const path = await h.put('/api/v1/customers/SAP%20ECC!/x', { name: 'Path' });
    expect(path.status).toBe(400);
    expect(path.body.error).toMatchObject({
      code: 'INVALID_SOURCE_REFERENCE',
      details: [{ field: 'sourceSystem' }],
    });

    const notJson = await fetch(`${h.url}/api/v1/customers/sap/BAD-4`, {
      method: 'PUT',
      headers: { ...(await identityHeaders()), 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(notJson.status).toBe(400);

    expect(await count()).toBe(before);
    expect(Number((await h.sql.query(OUTBOX_WRITES_SQL)).rows[0].n)).toBe(outboxBefore);
    expect((await h.get('/api/v1/customers/by-source/sap/BAD-2')).status).toBe(404);
  });

  it('answers 404 CUSTOMER_NOT_FOUND for unknown and malformed ids', async () => {
    for (const path of [
      '/api/v1/customers/4a0d3e4e-9a7c-4c4b-8a70-0d6b3f1c2a11',
      '/api/v1/customers/not-a-uuid',
      '/api/v1/customers/by-source/sap/none',
    ]) {
      const res = await h.get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('CUSTOMER_NOT_FOUND');
    }
  });

  it('keeps contacts, street line and postcode encrypted at rest; country, province and city plain', async () => {
    const res = await h.put('/api/v1/customers/yonyou/PII-1', {
      name: 'PII Co',
      address: { ...shenzhen, line1: '机密路 42 号', postcode: '518099' },
      contacts: [{ name: '王秘密', email: 'secret@example.cn' }],
    });
    const { rows } = await h.sql.query('SELECT * FROM customers WHERE id = $1', [res.body.id]);
    const raw = JSON.stringify(rows[0]);
    for (const secret of ['机密路', '518099', '王秘密', 'secret@example.cn'])
      expect(raw).not.toContain(secret);
    expect(rows[0]).toMatchObject({ country: 'CN', province: '广东省', city: '深圳市', district: '南山区' });
    expect(rows[0].contacts_secret).toMatch(/^v1\./);
    expect(rows[0].address_secret).toMatch(/^v1\./);
    expect((await h.get(`/api/v1/customers/${res.body.id}`)).body.contacts[0]?.email).toBe(
      'secret@example.cn',
    );
  });

  it('lists by status, region and text, in keyset pages', async () => {
    for (const [id, name, country, province] of [
      ['L-1', 'List Alpha', 'CN', '浙江省'],
      ['L-2', 'List Beta', 'CN', '浙江省'],
      ['L-3', 'List Gamma', 'US', 'CA'],
    ] as const) {
      await h.put(`/api/v1/customers/list-spec/${id}`, { name, address: { country, province } });
    }
    const zhejiang = await h.get(`/api/v1/customers?region=${encodeURIComponent('浙江省')}`);
    expect(zhejiang.body.items.map((c: { name: string }) => c.name)).toEqual(['List Alpha', 'List Beta']);
    const us = await h.get('/api/v1/customers?region=us&q=list');
    expect(us.body.items.map((c: { name: string }) => c.name)).toEqual(['List Gamma']);
    expect(us.body.items[0]?.timeZone).toBe('UTC');
    const byExternalId = await h.get('/api/v1/customers?q=L-2');
    expect(byExternalId.body.items.map((c: { name: string }) => c.name)).toEqual(['List Beta']);
    const byTaxId = await h.get('/api/v1/customers?q=fr999');
    expect(byTaxId.body.items.map((c: { name: string }) => c.name)).toEqual(['Other']);

    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiResponse = await h.get(
        `/api/v1/customers?q=list&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      names.push(...page.body.items.map((c: { name: string }) => c.name));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(names).toEqual(['List Alpha', 'List Beta', 'List Gamma']);

    expect((await h.get('/api/v1/customers?status=paid&q=list')).body.items).toHaveLength(3);
    expect((await h.get('/api/v1/customers?status=overdue,unpaid&q=list')).body.items).toHaveLength(0);
    const badStatus = await h.get('/api/v1/customers?status=green');
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.details[0]?.field).toBe('status');
    expect((await h.get('/api/v1/customers?limit=0')).body.error.details[0]?.field).toBe('limit');
    expect((await h.get('/api/v1/customers?cursor=garbage')).body.error).toMatchObject({
      code: 'INVALID_QUERY',
      details: [{ field: 'cursor' }],
    });
  });

  it('never emitted a status-changed for customers without invoices', () => {
    expect(h.seen.filter((s) => s.topic === Topic.StatusChanged)).toHaveLength(0);
  });
});
