import { Money } from '@duemap/money';
import { defaultLocale, defaultTimeZone, normalizeLocale, normalizeTimeZone } from './customer-defaults';
import { mergeMaster, normalizeTaxId, sameAddress, sameMaster, type AddressState } from './customer-master';

const shenzhen: AddressState = {
  country: 'CN',
  province: '广东省',
  city: '深圳市',
  district: '南山区',
  line1: '科技园南区高新南七道18号',
  postcode: '518057',
};
const berlin: AddressState = {
  country: 'DE',
  province: 'Berlin',
  city: 'Berlin',
  district: null,
  line1: 'Unter den Linden 1',
  postcode: '10117',
};

describe('defaults', () => {
  it.each([
    ['CN', 'Asia/Shanghai'],
    ['JP', 'Asia/Tokyo'],
    ['IN', 'Asia/Kolkata'],
    ['VN', 'Asia/Ho_Chi_Minh'],
    ['DE', 'Europe/Berlin'],
    ['FR', 'Europe/Paris'],
    ['US', 'UTC'],
    ['RU', 'UTC'],
    [null, 'UTC'],
  ])('the time zone of %s is %s', (country, zone) => {
    expect(defaultTimeZone(country)).toBe(zone);
    expect(normalizeTimeZone(zone)).toBeDefined();
  });

  it('validates IANA zones with Intl and fixes only their case', () => {
    expect(normalizeTimeZone('Asia/Shanghai')).toBe('Asia/Shanghai');
    expect(normalizeTimeZone('asia/shanghai')).toBe('Asia/Shanghai');
    expect(normalizeTimeZone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(normalizeTimeZone('America/Argentina/Buenos_Aires')).toBe('America/Argentina/Buenos_Aires');
    for (const bad of ['Mars/Olympus', '+08:00', 'Asia/Shanghai ', '', 'GMT+8', '../etc']) {
      expect(normalizeTimeZone(bad)).toBeUndefined();
    }
  });

  it('derives the language from the country and normalises BCP 47 tags', () => {
    expect(defaultLocale('CN')).toBe('zh-CN');
    expect(defaultLocale('DE')).toBe('en');
    expect(normalizeLocale('zh-cn')).toBe('zh-CN');
    expect(normalizeLocale('not a tag')).toBeUndefined();
  });
});

describe('mergeMaster', () => {
  it('fills defaults on create: standard, CNY, the country zone and language', () => {
    const state = mergeMaster(undefined, { name: 'ACME', address: shenzhen });
    expect(state).toMatchObject({
      name: 'ACME',
      taxId: null,
      tier: 'standard',
      currency: 'CNY',
      timeZone: 'Asia/Shanghai',
      timeZoneDerived: true,
      locale: 'zh-CN',
      contacts: [],
      creditLimit: null,
      salesTerritory: null,
    });
    expect(mergeMaster(undefined, { name: 'No address' }).timeZone).toBe('UTC');
  });

  it('keeps what a source leaves out, clears what it sets to null', () => {
    const first = mergeMaster(undefined, {
      name: 'ACME',
      taxId: '91440300 ma5fxxxx1x',
      tier: 'vip',
      address: shenzhen,
      currency: 'USD',
      creditLimit: Money.of('5000.00', 'USD'),
      contacts: [{ name: '李娜', email: 'ap@example.cn', phone: null, role: null, locale: null }],
      salesTerritory: 'south',
    });
    expect(first.taxId).toBe('91440300MA5FXXXX1X');
    const kept = mergeMaster(first, { name: 'ACME Ltd' });
    expect(kept).toEqual({ ...first, name: 'ACME Ltd' });
    const cleared = mergeMaster(first, {
      name: 'ACME',
      taxId: null,
      tier: null,
      currency: null,
      creditLimit: null,
      contacts: null,
      salesTerritory: null,
    });
    expect(cleared).toMatchObject({
      taxId: null,
      tier: 'standard',
      currency: 'CNY',
      creditLimit: null,
      contacts: [],
      salesTerritory: null,
      address: shenzhen,
    });
  });

  it('moves a derived time zone with the country, but keeps one that was given', () => {
    const derived = mergeMaster(undefined, { name: 'A', address: shenzhen });
    expect(mergeMaster(derived, { name: 'A', address: berlin }).timeZone).toBe('Europe/Berlin');
    const given = mergeMaster(undefined, { name: 'A', address: shenzhen, timeZone: 'Asia/Hong_Kong' });
    expect(given.timeZoneDerived).toBe(false);
    const moved = mergeMaster(given, { name: 'A', address: berlin });
    expect(moved.timeZone).toBe('Asia/Hong_Kong');
    expect(mergeMaster(moved, { name: 'A', timeZone: null }).timeZone).toBe('Europe/Berlin');
  });

  it('compares by value: the same body twice is no change', () => {
    const body = { name: 'A', address: shenzhen, creditLimit: Money.of('1.5', 'CNY') };
    const a = mergeMaster(undefined, body);
    const b = mergeMaster(a, { ...body, address: { ...shenzhen }, creditLimit: Money.of('1.50', 'CNY') });
    expect(sameMaster(a, b)).toBe(true);
    expect(sameMaster(a, mergeMaster(a, { ...body, creditLimit: Money.of('1.51', 'CNY') }))).toBe(false);
    const reordered = Object.fromEntries(Object.entries(shenzhen).reverse()) as unknown as AddressState;
    expect(sameAddress(shenzhen, reordered)).toBe(true);
    expect(sameAddress(shenzhen, { ...shenzhen, postcode: '518000' })).toBe(false);
    expect(sameAddress(null, shenzhen)).toBe(false);
  });

  it('normalises tax ids without spaces and in upper case', () => {
    expect(normalizeTaxId(' de 123 456 789 ')).toBe('DE123456789');
  });
});
