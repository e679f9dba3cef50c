import { fold, hasHan, latinCityKeys, latinRegionKeys, pinyinKey } from './names';

describe('names', () => {
  it.each([
    ['Xi’an', 'xian'],
    ['São Paulo', 'saopaulo'],
    ['Frankfurt am Main', 'frankfurtammain'],
    ['Straße', 'strasse'],
    ['Łódź', 'lodz'],
    ['深圳市', '深圳市'],
  ])('folds %s to %s', (text, folded) => {
    expect(fold(text)).toBe(folded);
  });

  it('writes Chinese as toneless pinyin, polyphones by their place-name reading', () => {
    expect(pinyinKey('深圳')).toBe('shenzhen');
    expect(pinyinKey('重庆')).toBe('chongqing');
    expect(pinyinKey('长沙')).toBe('changsha');
    expect(pinyinKey('厦门')).toBe('xiamen');
  });

  it('knows Han text', () => {
    expect(hasHan('上海')).toBe(true);
    expect(hasHan('Shanghai')).toBe(false);
  });

  it('tries a city with and without its administrative word, and as "X City"', () => {
    expect(latinCityKeys('Shenzhen Shi')).toEqual(['shenzhenshi', 'shenzhen', 'shenzhencity']);
    expect(latinCityKeys('New York')).toEqual(['newyork', 'newyorkcity']);
    expect(latinCityKeys('City of London')).toEqual(['cityoflondon', 'london', 'londoncity']);
  });

  it('tries a city without its bracketed or German qualifier, and each name of "A / B"', () => {
    expect(latinCityKeys('Menden (Sauerland)')).toContain('menden');
    expect(latinCityKeys('Weiden in der Oberpfalz')).toContain('weiden');
    expect(latinCityKeys('Chișinău / Kischinjow')).toEqual(
      expect.arrayContaining(['chisinau', 'kischinjow']),
    );
    expect(latinCityKeys('Frankfurt am Main')[0]).toBe('frankfurtammain');
  });

  it('tries a region with and without its administrative word', () => {
    expect(latinRegionKeys('Guangdong Province')).toEqual(['guangdongprovince', 'guangdong']);
    expect(latinRegionKeys('State of Berlin')).toEqual(['stateofberlin', 'berlin']);
  });
});
