import { describe, expect, it } from 'vitest';
import en from './locales/en';
import fr from './locales/fr';
import es from './locales/es';
import zh from './locales/zh';
import ru from './locales/ru';
import { detectLanguage, interpolate } from './index.svelte';

const others = { fr, es, zh, ru } as Record<string, Record<string, string>>;
const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

// Every source file of the app, as text (Vite reads them at test time).
const sources = Object.entries(import.meta.glob('/src/**/*.{svelte,ts}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>)
  .filter(([file]) => !file.endsWith('.test.ts'))
  .map(([, text]) => text);

describe('translations', () => {
  for (const [lang, dict] of Object.entries(others)) {
    it(`${lang} has every English key and no other`, () => {
      expect(Object.keys(dict).filter((k) => !(k in en))).toEqual([]);
      expect(Object.keys(en).filter((k) => !(k in dict))).toEqual([]);
    });

    it(`${lang} keeps the placeholders of each string`, () => {
      const wrong = Object.entries(en).filter(([k, v]) => placeholders(v).join() !== placeholders(dict[k] ?? '').join());
      expect(wrong.map(([k]) => k)).toEqual([]);
    });

    it(`${lang} has no empty or untranslated-looking string`, () => {
      expect(Object.entries(dict).filter(([, v]) => !v.trim()).map(([k]) => k)).toEqual([]);
      // A handful of words are the same in English (Album, Pages, OK…); whole sentences must not be.
      const copied = Object.entries(dict).filter(([k, v]) => k !== 'upload.formats' && v === (en as Record<string, string>)[k] && v.split(' ').length > 3);
      expect(copied.map(([k]) => k)).toEqual([]);
    });
  }

  it('every key used in the source exists in English', () => {
    const used = new Set<string>();
    expect(sources.length).toBeGreaterThan(40);
    for (const text of sources) {
      for (const m of text.matchAll(/\bt\(\s*['"`]([\w.]+)['"`]/g)) used.add(m[1]);
      for (const m of text.matchAll(/(?:key|label): '([a-z]+\.[\w.]+)'/g)) used.add(m[1]);
      // Keys built at run time: t(`quality.${q}`) needs every value of the family.
      for (const m of text.matchAll(/\bt\(`([\w.]+)\$\{/g)) expect(Object.keys(en).some((k) => k.startsWith(m[1])), m[1]).toBe(true);
    }
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });

  it('has every value of the families built at run time', () => {
    for (const k of ['quality.original', 'quality.high', 'quality.medium', 'quality.low', 'theme.light', 'theme.dark', 'theme.system',
      'role.admin', 'role.user', 'reportStatus.pending', 'reportStatus.resolved', 'reportStatus.dismissed']) {
      expect(en).toHaveProperty([k]);
    }
  });
});

describe('language choice and interpolation', () => {
  it('prefers the stored choice, then the browser languages, then English', () => {
    expect(detectLanguage('ru', ['fr-FR'])).toBe('ru');
    expect(detectLanguage(null, ['de-DE', 'es-MX', 'fr'])).toBe('es');
    expect(detectLanguage('xx', ['de'])).toBe('en');
    expect(detectLanguage(null, ['zh-Hans-CN'])).toBe('zh');
  });

  it('fills placeholders and picks plural forms', () => {
    expect(interpolate('{count} track|{count} tracks', { count: 1 }, 'en')).toBe('1 track');
    expect(interpolate('{count} track|{count} tracks', { count: 3 }, 'en')).toBe('3 tracks');
    const ruForms = '{count} трек|{count} трека|{count} треков';
    expect(interpolate(ruForms, { count: 1 }, 'ru')).toBe('1 трек');
    expect(interpolate(ruForms, { count: 3 }, 'ru')).toBe('3 трека');
    expect(interpolate(ruForms, { count: 11 }, 'ru')).toBe('11 треков');
    expect(interpolate('Page {page} of {total}', { page: 2 })).toBe('Page 2 of {total}');
  });
});
