import type { Territory } from './identity';
import {
  customerTerritoryFilter,
  namedBinder,
  placementChangeOf,
  placementChangeStatement,
  positionalBinder,
} from './placement-projection';
import { inTerritory, placementOf, provinceKey, provinceSelectorKey, territoryPredicate } from './territory';

function territory(parts: Partial<Territory>): Territory {
  return { countries: [], provinces: [], salesTerritories: [], customerIds: [], ...parts };
}

const GUANGDONG = placementOf({
  customerId: '0b9b5b1e-0000-4000-8000-000000000001',
  country: 'cn',
  province: '广东省',
  salesTerritory: 'South',
});
const ZHEJIANG = placementOf({
  customerId: '0b9b5b1e-0000-4000-8000-000000000002',
  country: 'CN',
  province: '浙江省',
  salesTerritory: 'East',
});

describe('provinceKey', () => {
  it('compares provinces by name, whatever suffix, width, case or spacing they are written with', () => {
    expect(provinceKey('CN', '广东省')).toBe('CN/广东');
    expect(provinceKey('cn', '广东')).toBe('CN/广东');
    expect(provinceKey('CN', '广西壮族自治区')).toBe('CN/广西');
    expect(provinceKey('CN', '北京市')).toBe('CN/北京');
    expect(provinceKey('CN', 'ＧＵＡＮＧＤＯＮＧ Province')).toBe('CN/guangdong');
    expect(provinceKey('US', 'New York State')).toBe('US/newyork');
  });

  it('has no key for a missing province, nor for a name that is only a suffix', () => {
    expect(provinceKey('CN', null)).toBe('');
    expect(provinceKey('CN', '')).toBe('');
    expect(provinceKey('CN', '省')).toBe('CN/省');
  });

  it('reads a selector as country/province, and nothing without a country', () => {
    expect(provinceSelectorKey('CN/广东省')).toBe('CN/广东');
    expect(provinceSelectorKey('广东省')).toBe('');
    expect(provinceSelectorKey('/广东省')).toBe('');
  });
});

describe('inTerritory', () => {
  it('lets everyone through without a territory and no one through an empty one', () => {
    expect(inTerritory(undefined, GUANGDONG)).toBe(true);
    expect(inTerritory(territory({}), GUANGDONG)).toBe(false);
  });

  it('opens a customer by province, country, sales territory or id, and no other', () => {
    expect(inTerritory(territory({ provinces: ['CN/广东'] }), GUANGDONG)).toBe(true);
    expect(inTerritory(territory({ provinces: ['CN/广东'] }), ZHEJIANG)).toBe(false);
    expect(inTerritory(territory({ countries: ['cn'] }), ZHEJIANG)).toBe(true);
    expect(inTerritory(territory({ salesTerritories: ['East'] }), ZHEJIANG)).toBe(true);
    expect(inTerritory(territory({ salesTerritories: ['east'] }), ZHEJIANG)).toBe(false);
    expect(inTerritory(territory({ customerIds: [ZHEJIANG.customerId.toUpperCase()] }), ZHEJIANG)).toBe(
      false,
    );
    expect(inTerritory(territory({ customerIds: [ZHEJIANG.customerId] }), ZHEJIANG)).toBe(true);
  });

  it('keeps out a customer whose placement is unknown, and one without an address', () => {
    expect(inTerritory(territory({ countries: ['CN'] }), undefined)).toBe(false);
    const nowhere = placementOf({ customerId: 'x' });
    expect(
      inTerritory(territory({ countries: [''], provinces: ['CN/'], salesTerritories: [''] }), nowhere),
    ).toBe(false);
  });
});

describe('territoryPredicate', () => {
  const columns = { customerId: 'c.id', country: 'c.country', provinceKey: 'c.pk', salesTerritory: 'c.st' };

  it('is TRUE without a territory and FALSE for one that opens nothing', () => {
    const values: unknown[] = [];
    expect(territoryPredicate(undefined, columns, positionalBinder(values))).toBe('TRUE');
    expect(territoryPredicate(territory({}), columns, positionalBinder(values))).toBe('FALSE');
    expect(territoryPredicate(territory({ provinces: ['广东'] }), columns, positionalBinder(values))).toBe(
      'FALSE',
    );
    expect(values).toEqual([]);
  });

  it('binds every selector as a value, normalised as inTerritory compares it', () => {
    const values: unknown[] = ['already bound'];
    const sql = territoryPredicate(
      territory({
        customerIds: ['ABC'],
        countries: ['cn'],
        provinces: ['CN/广东省'],
        salesTerritories: ["South'; DROP TABLE customers; --"],
      }),
      columns,
      positionalBinder(values),
    );
    expect(sql).toBe(
      '(c.id::text = ANY($2::text[]) OR c.country = ANY($3::text[]) OR c.pk = ANY($4::text[]) OR c.st = ANY($5::text[]))',
    );
    expect(values).toEqual([
      'already bound',
      ['abc'],
      ['CN'],
      ['CN/广东'],
      ["South'; DROP TABLE customers; --"],
    ]);
  });

  it('names TypeORM parameters with a namedBinder', () => {
    const parameters: Record<string, unknown> = {};
    const sql = territoryPredicate(territory({ countries: ['CN'] }), columns, namedBinder(parameters, 't'));
    expect(sql).toBe('(c.country = ANY(:t0::text[]))');
    expect(parameters).toEqual({ t0: ['CN'] });
  });
});

describe('customerTerritoryFilter', () => {
  it('is TRUE without a territory and FALSE for one that opens nothing', () => {
    const values: unknown[] = [];
    expect(customerTerritoryFilter(undefined, 'i.customer_id', positionalBinder(values))).toBe('TRUE');
    expect(customerTerritoryFilter(territory({}), 'i.customer_id', positionalBinder(values))).toBe('FALSE');
  });

  it('matches explicit ids on the row itself and everything else through the placement', () => {
    const values: unknown[] = [];
    const sql = customerTerritoryFilter(
      territory({ customerIds: ['A'], provinces: ['CN/浙江'] }),
      'i.customer_id',
      positionalBinder(values),
    );
    expect(sql).toBe(
      '((lower((i.customer_id)::text)::text = ANY($1::text[])) OR EXISTS (SELECT 1 FROM customer_placements cp ' +
        'WHERE cp.customer_id = lower((i.customer_id)::text) AND (cp.province_key = ANY($2::text[]))))',
    );
    expect(values).toEqual([['a'], ['CN/浙江']]);
  });

  it('leaves the id test out when the territory names no customer', () => {
    const sql = customerTerritoryFilter(territory({ countries: ['CN'] }), 'x', positionalBinder([]));
    expect(sql).toBe(
      '(EXISTS (SELECT 1 FROM customer_placements cp WHERE cp.customer_id = lower((x)::text) AND (cp.country = ANY($1::text[]))))',
    );
  });
});

describe('placementChangeStatement', () => {
  const at = new Date('2025-01-02T03:04:05.000Z');

  it('stores the province as its key and the id lower-cased', () => {
    const { values } = placementChangeStatement({
      customerId: 'ABC',
      country: 'cn',
      province: '广东省',
      salesTerritory: ' South ',
      version: 7n,
      occurredAt: at,
    });
    expect(values).toEqual(['abc', 'CN', 'CN/广东', '7', at.toISOString(), 'South']);
  });

  it('leaves the sales territory as held when the event does not carry one', () => {
    const { values } = placementChangeStatement({
      customerId: 'abc',
      country: 'CN',
      province: '浙江',
      version: 8n,
      occurredAt: at,
    });
    expect(values[5]).toBeNull();
  });
});

describe('placementChangeOf', () => {
  const at = new Date('2025-01-02T03:04:05.000Z');

  it('takes the address and the sales territory of customer-upserted', () => {
    expect(
      placementChangeOf(
        {
          customerId: 'c',
          customerVersion: 3n,
          address: { countryCode: 'CN', region: '广东省' },
          salesTerritory: 'South',
        },
        at,
      ),
    ).toEqual({
      customerId: 'c',
      country: 'CN',
      province: '广东省',
      salesTerritory: 'South',
      version: 3n,
      occurredAt: at,
    });
  });

  it('takes only the address of address-changed, and no address as none', () => {
    const change = placementChangeOf({ customerId: 'c', customerVersion: 4n }, at);
    expect(change).toEqual({ customerId: 'c', country: '', province: '', version: 4n, occurredAt: at });
    expect('salesTerritory' in change).toBe(false);
  });
});
