/**
 * The language of the console: Korean by default, English on request, remembered in localStorage. One
 * dictionary per language (ko.ts, en.ts); antd's locale follows.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Locale } from 'antd/es/locale';
import enUS from 'antd/locale/en_US';
import koKR from 'antd/locale/ko_KR';
import dayjs from 'dayjs';
import 'dayjs/locale/ko';
import { en } from './en';
import { ko, type Dict, type DictKey } from './ko';

export type Lang = 'ko' | 'en';
export type Translate = (key: DictKey, vars?: Record<string, string | number>) => string;

const STORAGE_KEY = 'firmbank.admin.lang';
const DICTS: Record<Lang, Dict> = { ko, en };
const ANTD_LOCALES: Record<Lang, Locale> = { ko: koKR, en: enUS };

interface I18n {
  readonly lang: Lang;
  readonly setLang: (lang: Lang) => void;
  readonly t: Translate;
  readonly antdLocale: Locale;
}

function storedLang(): Lang {
  try {
    return window.localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'ko';
  } catch {
    return 'ko';
  }
}

export function translate(dict: Dict, key: DictKey, vars?: Record<string, string | number>): string {
  const text = dict[key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      window.localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // private mode: the choice lasts for this page only
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
    dayjs.locale(lang);
  }, [lang]);
  const value = useMemo<I18n>(() => {
    const dict = DICTS[lang];
    return { lang, setLang, t: (key, vars) => translate(dict, key, vars), antdLocale: ANTD_LOCALES[lang] };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}

export type { DictKey };
