import { findChineseProvince, parseChineseAddress, stripChineseCitySuffix } from './china';

describe('Chinese addresses', () => {
  it('finds provinces by short and official names', () => {
    expect(findChineseProvince('广东')?.code).toBe('30');
    expect(findChineseProvince('广东省')?.code).toBe('30');
    expect(findChineseProvince('广西壮族自治区')?.code).toBe('16');
    expect(findChineseProvince('新疆')?.code).toBe('13');
    expect(findChineseProvince('加州')).toBeUndefined();
  });

  it('strips city suffixes but leaves two-character names alone', () => {
    expect(stripChineseCitySuffix('深圳市')).toBe('深圳');
    expect(stripChineseCitySuffix('大兴安岭地区')).toBe('大兴安岭');
    expect(stripChineseCitySuffix('北京')).toBe('北京');
  });

  it.each([
    ['中国广东省深圳市南山区科技园', '30', '深圳市', undefined],
    ['广东深圳市南山区', '30', '深圳市', undefined],
    ['黑龙江省哈尔滨市道里区', '08', '哈尔滨市', undefined],
    ['上海市浦东新区世纪大道100号', '23', '上海市', undefined],
    // A "市" further on (a market's name) is not the city of a municipality.
    ['北京朝阳区三里屯太古里超市', '22', '北京市', undefined],
    ['江苏苏州工业园区星湖街', '04', undefined, '苏州'],
  ])('reads %s', (text, province, city, cityGuess) => {
    const parts = parseChineseAddress(text);
    expect(parts.saysChina).toBe(true);
    expect(parts.province?.code).toBe(province);
    expect(parts.city).toBe(city);
    expect(parts.cityGuess).toBe(cityGuess);
  });

  it('reads a city without a province', () => {
    expect(parseChineseAddress('深圳市南山区科技园')).toEqual({ saysChina: false, city: '深圳市' });
  });
});
