import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en, zh } from './messages';

export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
const CHOSEN = 'duemap.language';

/** The language chosen before, else Chinese for a browser that prefers any zh variant, else English. */
export function initialLanguage(
  stored: string | null = window.localStorage.getItem(CHOSEN),
  preferred: readonly string[] = window.navigator.languages,
): Language {
  if (stored === 'zh' || stored === 'en') return stored;
  const first = preferred[0] ?? '';
  return first.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export async function setupI18n(): Promise<void> {
  const lng = initialLanguage();
  await i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, zh: { translation: zh } },
    lng,
    fallbackLng: 'en',
    // React escapes what it renders.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = lng === 'zh' ? 'zh-CN' : 'en';
}

export async function chooseLanguage(language: Language): Promise<void> {
  window.localStorage.setItem(CHOSEN, language);
  await i18next.changeLanguage(language);
  document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
}
