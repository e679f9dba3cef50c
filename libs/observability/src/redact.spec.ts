import { isRedactedField, redactDeep, REDACTED } from './redact';

describe('redactDeep', () => {
  it('names the fields that are never logged, in any case or separator', () => {
    for (const name of [
      'Authorization',
      'set-cookie',
      'X-Api-Key',
      'x-duemap-identity',
      'accessToken',
      'db_password',
      'taxId',
      'tax_id',
      'postCode',
      'line1',
      'email',
    ]) {
      expect(isRedactedField(name)).toBe(true);
    }
    for (const name of ['id', 'name', 'province', 'amount', 'keyId', 'monkey', 'tokens_total']) {
      expect(isRedactedField(name)).toBe(false);
    }
  });

  it('returns an object with nothing to redact unchanged, and survives cycles and depth', () => {
    const plain = { a: 1, b: [{ c: 'x' }] };
    expect(redactDeep(plain)).toBe(plain);
    const cyclic: Record<string, unknown> = { token: 't' };
    cyclic.self = cyclic;
    expect((redactDeep(cyclic) as Record<string, unknown>).token).toBe(REDACTED);
    let deep: Record<string, unknown> = { password: 'p' };
    for (let i = 0; i < 20; i++) deep = { next: deep };
    expect(JSON.stringify(redactDeep(deep))).not.toContain('"p"');
  });

  it('walks DTO instances but leaves errors alone', () => {
    class Dto {
      email = 'a@b.c';
      amount = 3;
    }
    expect(redactDeep({ dto: new Dto() })).toEqual({ dto: { email: REDACTED, amount: 3 } });
    const err = new Error('boom');
    expect(redactDeep({ err })).toEqual({ err });
  });
});
