import { CustomerTier } from '@duemap/events';
import { creditGradeOf, pinTierOf, sourceSystemsOf } from './apply-customer-attributes.usecase';

describe('customer attributes on the pin', () => {
  it('maps tiers, unknown ones to standard', () => {
    expect(pinTierOf(CustomerTier.VIP)).toBe('vip');
    expect(pinTierOf(CustomerTier.STANDARD)).toBe('standard');
    expect(pinTierOf(CustomerTier.UNSPECIFIED)).toBe('standard');
    expect(pinTierOf(99 as CustomerTier)).toBe('standard');
  });

  it('keeps a grade, null when withdrawn', () => {
    expect(creditGradeOf(' A ')).toBe('A');
    expect(creditGradeOf('')).toBeNull();
  });

  it('keeps each source ERP once, lower case, for the source filter', () => {
    const sources = [
      { sourceSystem: 'SAP', externalId: '1' },
      { sourceSystem: 'kingdee', externalId: '2' },
      { sourceSystem: 'sap', externalId: '3' },
    ] as Parameters<typeof sourceSystemsOf>[0]['sources'];
    expect(sourceSystemsOf({ sources })).toEqual(['kingdee', 'sap']);
  });
});
