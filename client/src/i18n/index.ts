import { useCallback } from 'react';
import { ValueStore } from '../services/Store.ts';
import { useStore } from '../hooks/useStore.ts';
import { zhCN, type MessageKey } from './zh-CN.ts';
import { en } from './en.ts';

export type Language = 'zh-CN' | 'en';
export type { MessageKey };
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const dictionaries: Record<Language, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const STORAGE_KEY = 'cm.lang';

function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    /* storage may be unavailable (private mode in some in-app browsers) */
  }
  return 'zh-CN';
}

export const languageStore = new ValueStore<Language>(initialLanguage());

export function setLanguage(language: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, language);
  } catch {
    /* ignore */
  }
  languageStore.set(language);
}

function applyDocumentLanguage(language: Language): void {
  document.documentElement.lang = language;
  document.title = dictionaries[language]['app.documentTitle'];
}
applyDocumentLanguage(languageStore.getSnapshot());
languageStore.subscribe(() => applyDocumentLanguage(languageStore.getSnapshot()));

export function translate(language: Language, key: MessageKey, params?: Record<string, string | number>): string {
  const template = dictionaries[language][key] ?? zhCN[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}

/** The translate function for the current language; re-renders on language change. */
export function useT(): Translate {
  const language = useStore(languageStore);
  return useCallback<Translate>((key, params) => translate(language, key, params), [language]);
}

export function useLanguage(): Language {
  return useStore(languageStore);
}

/** Does the dictionary have this key? (for codes that come from the server) */
export function hasKey(key: string): key is MessageKey {
  return key in zhCN;
}
