// Defaults the customer master derives when a source does not say: the time zone from the
// country, the language from the country. Both matter downstream: the time zone is the day
// boundary of "overdue", the language picks the reminder template.

export const DEFAULT_TIME_ZONE = 'UTC';
export const DEFAULT_CURRENCY = 'CNY';

/**
 * Countries that span several IANA zones but where one of them is what an AR team means
 * (Urumqi time is unofficial in China; Busingen, the Canaries, Madeira are small parts).
 */
const PRIMARY_ZONE: Readonly<Record<string, string>> = {
  CN: 'Asia/Shanghai',
  DE: 'Europe/Berlin',
  ES: 'Europe/Madrid',
  PT: 'Europe/Lisbon',
  NZ: 'Pacific/Auckland',
  MY: 'Asia/Kuala_Lumpur',
  UA: 'Europe/Kyiv',
  CY: 'Asia/Nicosia',
  EC: 'America/Guayaquil',
  CL: 'America/Santiago',
  UZ: 'Asia/Tashkent',
  MN: 'Asia/Ulaanbaatar',
};

/** Node 20's ICU still names a few zones by their pre-rename IANA aliases. */
const CURRENT_NAME: Readonly<Record<string, string>> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Africa/Asmera': 'Africa/Asmara',
  'Europe/Kiev': 'Europe/Kyiv',
};

interface LocaleWithZones {
  getTimeZones?: () => string[] | undefined;
  timeZones?: string[];
}

function zonesOfCountry(country: string): readonly string[] {
  try {
    // `timeZones` (a getter in V8 <= 12) became `getTimeZones()`; support both.
    const locale = new Intl.Locale(`und-${country}`) as unknown as LocaleWithZones;
    return locale.getTimeZones?.() ?? locale.timeZones ?? [];
  } catch {
    return [];
  }
}

/** The country's time zone when it has one obvious zone (CN -> Asia/Shanghai), else UTC. */
export function defaultTimeZone(country: string | null | undefined): string {
  if (!country) return DEFAULT_TIME_ZONE;
  const primary = PRIMARY_ZONE[country];
  if (primary !== undefined) return primary;
  const zones = zonesOfCountry(country);
  const [only] = zones;
  if (zones.length !== 1 || only === undefined) return DEFAULT_TIME_ZONE;
  return CURRENT_NAME[only] ?? only;
}

/** zh-CN for China, English elsewhere: the two template languages notifications ships. */
export function defaultLocale(country: string | null | undefined): string {
  return country === 'CN' ? 'zh-CN' : 'en';
}

const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9][A-Za-z0-9_+-]*){0,2}$/;

/**
 * The zone's name if Intl knows it as an IANA zone, else undefined. Only the spelling of case is
 * normalised ("asia/shanghai" -> "Asia/Shanghai"); aliases are kept as given ("Asia/Kolkata"
 * stays, although Node's ICU would call it "Asia/Calcutta").
 */
export function normalizeTimeZone(value: string): string | undefined {
  if (!ZONE_NAME.test(value)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  return resolved.toLowerCase() === value.toLowerCase() ? resolved : value;
}

/** The canonical BCP 47 spelling ("zh-cn" -> "zh-CN"), or undefined when not a language tag. */
export function normalizeLocale(value: string): string | undefined {
  try {
    const [canonical] = Intl.getCanonicalLocales(value);
    return canonical;
  } catch {
    return undefined;
  }
}
