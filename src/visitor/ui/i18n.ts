/**
 * Choosing the visitor UI's language: the page's `lang` first (the site's language is the
 * one its visitor reads), then the browser's languages, then English.
 */
import { de } from './strings/de.js';
import { en, type Strings } from './strings/en.js';
import { fr } from './strings/fr.js';

export type { Strings };

/** Languages we have texts for, by primary language subtag. */
export const LANGUAGES: Readonly<Record<string, Strings>> = { en, fr, de };

/** The primary subtag of a language tag (`fr-CA` → `fr`), lower case. */
function primary(tag: string | null | undefined): string {
  return (tag ?? '').trim().split(/[-_]/)[0]!.toLowerCase();
}

/** The language to use: its tag and texts. */
export function chooseLanguage(doc: Document, browserLanguages: readonly string[] = navigator.languages ?? []): { lang: string; strings: Strings } {
  const candidates = [doc.documentElement.getAttribute('lang'), doc.body?.getAttribute('lang'), ...browserLanguages];
  for (const candidate of candidates) {
    const lang = primary(candidate);
    if (Object.hasOwn(LANGUAGES, lang)) return { lang, strings: LANGUAGES[lang]! };
  }
  return { lang: 'en', strings: en };
}

/** Fills `{name}` placeholders; unknown ones stay as they are. */
export function format(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(values, name) ? values[name]! : whole));
}
