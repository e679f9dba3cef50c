import { jsonDepth, JsonTooDeepError, MAX_JSON_DEPTH, refuseDeepJson } from './json-depth';

describe('jsonDepth', () => {
  it('counts objects and arrays, not brackets inside strings or escaped quotes', () => {
    expect(jsonDepth('{}')).toBe(1);
    expect(jsonDepth('"[[[[["')).toBe(0);
    expect(jsonDepth('{"a":[{"b":"]]]\\"[[["}]}')).toBe(3);
    expect(jsonDepth('{"allocations":[{"amount":{"amount":"1.00","currency":"CNY"}}]}')).toBe(4);
  });

  it('refuses a body nested deeper than the limit as a 400, and lets an ordinary one through', () => {
    const verify = refuseDeepJson();
    const deep = Buffer.from('['.repeat(5000) + ']'.repeat(5000));
    expect(() => verify({}, {}, deep)).toThrow(JsonTooDeepError);
    expect(() => verify({}, {}, deep)).toThrow(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(() => verify({}, {}, Buffer.from('{"name":"上海明远"}'))).not.toThrow();
    const err = new JsonTooDeepError(MAX_JSON_DEPTH);
    expect(err).toMatchObject({ status: 400, type: 'entity.too.deep' });
  });
});
