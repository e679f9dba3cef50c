/**
 * China Post's scheme: the first two digits of a six-digit postcode name the province (the
 * third the postal district). Only the province level is used: city prefixes cross city borders
 * too often to pin anything, and a few border areas are served from the next province, so a
 * postcode only chooses between readings and adjusts confidence, it never places a pin alone.
 */
const PREFIX_TO_PROVINCE: Readonly<Record<string, string>> = {
  '01': '15',
  '02': '15', // 内蒙古
  '03': '14',
  '04': '14', // 山西
  '05': '13',
  '06': '13',
  '07': '13', // 河北
  '10': '11', // 北京
  '11': '21',
  '12': '21', // 辽宁
  '13': '22', // 吉林
  '15': '23',
  '16': '23', // 黑龙江
  '20': '31', // 上海
  '21': '32',
  '22': '32', // 江苏
  '23': '34',
  '24': '34', // 安徽
  '25': '37',
  '26': '37',
  '27': '37', // 山东
  '30': '12', // 天津
  '31': '33',
  '32': '33', // 浙江
  '33': '36',
  '34': '36', // 江西
  '35': '35',
  '36': '35', // 福建
  '40': '50', // 重庆
  '41': '43',
  '42': '43', // 湖南
  '43': '42',
  '44': '42', // 湖北
  '45': '41',
  '46': '41',
  '47': '41', // 河南
  '51': '44',
  '52': '44', // 广东
  '53': '45',
  '54': '45', // 广西
  '55': '52',
  '56': '52', // 贵州
  '57': '46', // 海南
  '61': '51',
  '62': '51',
  '63': '51',
  '64': '51', // 四川
  '65': '53',
  '66': '53',
  '67': '53', // 云南
  '71': '61',
  '72': '61', // 陕西
  '73': '62',
  '74': '62', // 甘肃
  '75': '64', // 宁夏
  '81': '63', // 青海
  '83': '65',
  '84': '65', // 新疆
  '85': '54',
  '86': '54', // 西藏
};

/** The GB/T 2260 province code (two digits) a Chinese postcode belongs to, if it is one. */
export function provinceOfPostcode(postcode: string | undefined): string | undefined {
  const digits = postcode?.normalize('NFKC').replace(/\s/g, '');
  if (!digits || !/^\d{6}$/.test(digits)) return undefined;
  return PREFIX_TO_PROVINCE[digits.slice(0, 2)];
}
