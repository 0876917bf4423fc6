// Interface languages. English is bundled; the others load on demand. Missing keys fall back to English.
import en from './locales/en';

export type Lang = 'en' | 'fr' | 'es' | 'zh' | 'ru';
export type Dict = Record<keyof typeof en, string>;

export const LANGUAGES: { code: Lang; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'Français' },
  { code: 'es', name: 'Español' },
  { code: 'zh', name: '中文' },
  { code: 'ru', name: 'Русский' }
];

export const LANG_KEY = 'soundtime_lang';

const loaders: Record<Exclude<Lang, 'en'>, () => Promise<{ default: Dict }>> = {
  fr: () => import('./locales/fr'),
  es: () => import('./locales/es'),
  zh: () => import('./locales/zh'),
  ru: () => import('./locales/ru')
};

export function isLang(x: unknown): x is Lang {
  return typeof x === 'string' && LANGUAGES.some((l) => l.code === x);
}

/** The stored choice, else the first supported browser language, else English. */
export function detectLanguage(stored: string | null, browserLangs: readonly string[]): Lang {
  if (isLang(stored)) return stored;
  for (const l of browserLangs) {
    const primary = l.toLowerCase().split('-')[0];
    if (isLang(primary)) return primary;
  }
  return 'en';
}

/** Picks the plural form ("one|other", Russian "one|few|many") for params.count. */
export function plural(s: string, lang: string, count: unknown): string {
  if (!s.includes('|') || typeof count !== 'number') return s.split('|').pop() ?? s;
  const forms = s.split('|');
  const cat = new Intl.PluralRules(lang).select(count);
  if (forms.length === 2) return cat === 'one' ? forms[0] : forms[1];
  return cat === 'one' ? forms[0] : cat === 'few' ? forms[1] : forms[2] ?? forms[1];
}

export function interpolate(s: string, params?: Record<string, string | number>, lang = 'en'): string {
  if (!params) return s.includes('|') ? (s.split('|').pop() ?? s) : s;
  s = plural(s, lang, params.count);
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
}

class I18n {
  lang = $state<Lang>('en');
  dict = $state.raw<Record<string, string>>(en);

  t(key: string, params?: Record<string, string | number>): string {
    return interpolate(this.dict[key] ?? (en as Record<string, string>)[key] ?? key, params, this.lang);
  }

  async set(lang: Lang): Promise<void> {
    const dict = lang === 'en' ? en : (await loaders[lang]()).default;
    this.dict = dict;
    this.lang = lang;
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    if (typeof document !== 'undefined') document.documentElement.lang = lang;
  }

  async init(): Promise<void> {
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(LANG_KEY);
    } catch {
      stored = null;
    }
    const lang = detectLanguage(stored, typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : []);
    if (lang !== 'en') await this.set(lang).catch(() => {});
    else if (typeof document !== 'undefined') document.documentElement.lang = 'en';
  }
}

export const i18n = new I18n();
export const t = (key: string, params?: Record<string, string | number>) => i18n.t(key, params);
