import { CustomerTier } from '@duemap/events';
import { creditGradeOf, pinTierOf } from './apply-customer-attributes.usecase';

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
});
