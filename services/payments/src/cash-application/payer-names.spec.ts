import {
  bestNameSimilarity,
  customerNameIndexKeys,
  nameSimilarity,
  normaliseAccount,
  normaliseCompanyName,
} from './payer-names';

describe('payer names', () => {
  it.each([
    ['上海华联电子科技有限公司', '上海华联电子科技'],
    ['上海华联电子科技股份有限公司', '上海华联电子科技'],
    ['上海华联电子科技有限责任公司', '上海华联电子科技'],
    ['上海華聯電子科技有限公司', '上海华联电子科技'],
    ['上海华联电子科技有限公', '上海华联电子科技'],
    ['ＡＣＭＥ　ＴＲＡＤＩＮＧ　ＣＯ．，ＬＴＤ．', 'acmetrading'],
    ['Acme Trading Co., Ltd.', 'acmetrading'],
    ['ACME TRADING COMPANY LIMITED', 'acmetrading'],
    ['Acme Trading GmbH', 'acmetrading'],
    ['Acme Trading B.V.', 'acmetrading'],
    ['Acme Trading Inc.', 'acmetrading'],
    ['Acme Trading LLC', 'acmetrading'],
  ])('%s normalises to %s', (name, key) => {
    expect(normaliseCompanyName(name).key).toBe(key);
  });

  it('scores a short name inside the registered one high, a different company low', () => {
    const registered = normaliseCompanyName('上海华联电子科技有限公司').key;
    expect(nameSimilarity(normaliseCompanyName('华联电子科技').key, registered)).toBeGreaterThan(0.9);
    expect(nameSimilarity(normaliseCompanyName('北京远航物流有限公司').key, registered)).toBeLessThan(0.5);
    expect(nameSimilarity('acmetradng', 'acmetrading')).toBeGreaterThan(0.9);
  });

  it('takes the best of a customer’s names, aliases included', () => {
    const best = bestNameSimilarity('SHANGHAI HUALIAN TRADING CO LTD', [
      '上海华联贸易有限公司',
      'Shanghai Hualian Trading Co., Ltd.',
    ]);
    expect(best).toEqual({ score: 1, name: 'Shanghai Hualian Trading Co., Ltd.' });
  });

  it('tells two companies of one trading name apart by the legal form written', () => {
    expect(bestNameSimilarity('KEYSTONE SYSTEMS GMBH', ['Keystone Systems GmbH']).score).toBe(1);
    expect(bestNameSimilarity('KEYSTONE SYSTEMS GMBH', ['Keystone Systems LLC']).score).toBeCloseTo(0.95);
    // No legal form written: both fit equally, a person decides.
    expect(bestNameSimilarity('KEYSTONE SYSTEMS', ['Keystone Systems LLC']).score).toBe(1);
  });

  it('indexes Chinese names by character pairs and Latin names by words and prefixes', () => {
    expect(customerNameIndexKeys('上海华联有限公司')).toEqual(['B:上海', 'B:海华', 'B:华联']);
    expect(customerNameIndexKeys('Acme Trading Co., Ltd.')).toEqual(['W:acme', 'W:trading', 'P:trad']);
  });

  it('compares accounts without spaces, dashes and case', () => {
    expect(normaliseAccount('de89 3704 0044-0532 0130 00')).toBe('DE89370400440532013000');
  });
});
