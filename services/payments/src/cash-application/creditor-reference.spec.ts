import { creditorReferenceFor, findCreditorReferences, parseCreditorReference } from './creditor-reference';

describe('ISO 11649 creditor references', () => {
  it('accepts the standard example, spaced or not, and returns its body', () => {
    // The example of ISO 11649 itself.
    expect(parseCreditorReference('RF18 5390 0754 7034')).toMatchObject({
      valid: true,
      body: '539007547034',
    });
    expect(parseCreditorReference('rf18539007547034')).toMatchObject({ valid: true, body: '539007547034' });
    expect(parseCreditorReference('ＲＦ１８ ５３９０ ０７５４ ７０３４')).toMatchObject({ valid: true });
  });

  it('refuses wrong check digits and a wrong shape with the reason', () => {
    expect(parseCreditorReference('RF19 5390 0754 7034')).toMatchObject({
      valid: false,
      reason: 'check digits do not match (mod 97)',
    });
    expect(parseCreditorReference('RF18')).toMatchObject({ valid: false });
    expect(parseCreditorReference('RF18 1234567890123456789012')).toMatchObject({ valid: false });
    expect(parseCreditorReference('INV-2026-0042')).toBeNull();
  });

  it('agrees with the references in the shared camt samples (Finnish FFFS guideline)', () => {
    // Valid ones, as the banks' samples print them…
    for (const rf of ['RF7812345', 'RF0812344', 'RF332348236', 'RF38000000000000000000552']) {
      expect(parseCreditorReference(rf)).toMatchObject({ valid: true });
    }
    // …and the two placeholders whose check digits do not hold (checked by hand, mod 97 ≠ 1).
    for (const rf of ['RF98123456789012', 'RF1850426746401070']) {
      expect(parseCreditorReference(rf)).toMatchObject({ valid: false });
    }
  });

  it('makes references that it accepts', () => {
    for (const body of ['INV2026004217', '1', 'AR2026110042', '26442000000001234567']) {
      const rf = creditorReferenceFor(body);
      expect(parseCreditorReference(rf)).toMatchObject({ valid: true, body });
    }
    expect(creditorReferenceFor('539007547034')).toBe('RF18539007547034');
    expect(() => creditorReferenceFor('INV-2026')).toThrow(/1-21 letters or digits/);
  });

  it('finds a reference inside free text without the word after it', () => {
    const found = findCreditorReferences('付款 RF18 5390 0754 7034 PAY thanks');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ valid: true, body: '539007547034', written: 'RF18 5390 0754 7034' });
  });
});
