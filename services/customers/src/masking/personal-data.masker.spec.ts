import type { Identity } from '@duemap/auth';
import fc from 'fast-check';
import type { CustomerView } from '../customers/customer-record';
import {
  customerFor,
  customerPageFor,
  maskEmail,
  maskName,
  maskPhone,
  maskPostcode,
  maskStreet,
  maskTaxId,
} from './personal-data.masker';

const who = (...roles: Identity['roles']): Identity => ({ subject: 's', kind: 'user', roles });

function customer(): CustomerView {
  const zero = { amount: '0.00', currency: 'CNY' };
  return {
    id: '7d0c6a8e-0000-4000-8000-000000000001',
    name: '深圳前海科技有限公司',
    taxId: '91440300MA5FABCD12',
    tier: 'standard',
    sources: [{ sourceSystem: 'sap', externalId: 'C-1' }],
    address: {
      country: 'CN',
      province: '广东省',
      city: '深圳市',
      district: '南山区',
      line1: '科技园南区高新南七道18号',
      postcode: '518057',
    },
    timeZone: 'Asia/Shanghai',
    currency: 'CNY',
    locale: 'zh-CN',
    creditLimit: null,
    contacts: [
      { name: '李娜', email: 'lina@example.cn', phone: '+86 138 0013 5678', role: 'ap', locale: 'zh-CN' },
      { name: 'Alice Wang', email: null, phone: null, role: null, locale: null },
    ],
    salesTerritory: 'south',
    status: 'current' as CustomerView['status'],
    balance: { outstanding: zero, overdue: zero, unappliedCredit: zero },
    balances: [],
    creditRating: null,
    location: {
      state: 'located',
      lat: 22.54,
      lng: 113.95,
      precision: 'rooftop',
      source: 'china-districts',
      confidence: null,
      reason: null,
      detail: null,
      willRetry: null,
      candidates: [],
      geocodedAt: '2025-01-01T00:00:00.000Z',
    },
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

describe('personal data maskers', () => {
  it('keep the last four of a tax id', () => {
    expect(maskTaxId('91440300MA5FABCD12')).toBe('****CD12');
    expect(maskTaxId('1234')).toBe('****');
  });

  it("keep an e-mail's first letter and domain", () => {
    expect(maskEmail('alice@example.com')).toBe('a***@example.com');
    expect(maskEmail('not-an-email')).toBe('n***');
  });

  it('keep the head and last four digits of a phone number', () => {
    expect(maskPhone('13800135678')).toBe('138****5678');
    expect(maskPhone('+86 138 0013 5678')).toBe('+86****5678');
    expect(maskPhone('12345')).toBe('****45');
    expect(maskPhone('12')).toBe('****');
  });

  it('keep the first character of a name', () => {
    expect(maskName('李娜')).toBe('李*');
    expect(maskName('Alice Wang')).toBe('A***');
    expect(maskName('  ')).toBe('');
  });

  it('hide the street line and all but the area of a postcode', () => {
    expect(maskStreet('科技园南区高新南七道18号')).toBe('****');
    expect(maskPostcode('518057')).toBe('51****');
    expect(maskPostcode('1')).toBe('****');
  });

  it('never give back more than a few characters of what they mask', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12, unit: 'grapheme' }), (secret) => {
        for (const masked of [
          maskTaxId(secret),
          maskName(secret),
          maskStreet(secret),
          maskPostcode(secret),
        ]) {
          expect(masked).not.toContain(secret);
          expect(Array.from(masked.replace(/[*]/g, '')).length).toBeLessThanOrEqual(4);
        }
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^1[3-9]\d{9}$/), (phone) => {
        const masked = maskPhone(phone);
        expect(masked).toMatch(/^\d{3}\*{4}\d{4}$/);
        expect(masked.slice(3, 7)).toBe('****');
      }),
    );
  });
});

describe('customerFor', () => {
  it('masks tax id, contacts, street line and postcode for a viewer and an integration key', () => {
    for (const identity of [who('viewer'), who('integration')]) {
      const masked = customerFor(identity, customer());
      expect(masked.taxId).toBe('****CD12');
      expect(masked.address).toEqual({
        country: 'CN',
        province: '广东省',
        city: '深圳市',
        district: '南山区',
        line1: '****',
        postcode: '51****',
      });
      expect(masked.contacts).toEqual([
        { name: '李*', email: 'l***@example.cn', phone: '+86****5678', role: 'ap', locale: 'zh-CN' },
        { name: 'A***', email: null, phone: null, role: null, locale: null },
      ]);
      expect(masked.name).toBe('深圳前海科技有限公司');
      expect(masked.location).toEqual(customer().location);
      expect(JSON.stringify(masked)).not.toMatch(/科技园|518057|lina@|0013|MA5F/);
    }
  });

  it('leaves everything clear for roles with personal-data:read', () => {
    for (const identity of [who('finance'), who('admin'), who('collector'), who('viewer', 'finance')]) {
      expect(customerFor(identity, customer())).toEqual(customer());
    }
  });

  it('masks every item of a page, and an API key scoped without personal-data:read', () => {
    const scoped: Identity = { ...who('finance'), kind: 'api-key', scope: ['customers:read'] };
    const page = customerPageFor(scoped, { items: [customer(), customer()], nextCursor: 'x' });
    expect(page.nextCursor).toBe('x');
    expect(page.items.map((c) => c.taxId)).toEqual(['****CD12', '****CD12']);
  });
});
