/**
 * Stylesheets that the DOM text does not describe ([PS7]): CSSOM edits (insertRule,
 * rule.style changes, disabled, media), readable linked sheets (inlined so the agent does
 * not depend on reaching the site), and constructed sheets adopted by documents and shadow
 * roots.
 */
import { StateAttr } from '../../shared/dom/format.js';
import { hookMethod, hookSetter, type Disposer, type ErrorReporter } from './hooks.js';

/** Full text of a sheet, with relative URLs made absolute against `base`; null if unreadable. */
export function sheetText(sheet: CSSStyleSheet, base: string | null): string | null {
  let rules: CSSRuleList;
  try {
    rules = sheet.cssRules;
  } catch {
    return null; // cross-origin without CORS: the mirror loads it by URL instead
  }
  let text = '';
  for (let i = 0; i < rules.length; i++) text += rules[i]!.cssText + '\n';
  return base ? absolutizeCssUrls(text, base) : text;
}

const CSS_URL = /url\(\s*(["']?)([^"')]*)\1\s*\)/g;

/** Rewrites relative `url()` references against `base`. */
export function absolutizeCssUrls(css: string, base: string): string {
  if (css.indexOf('url(') === -1) return css;
  return css.replace(CSS_URL, (match, quote: string, url: string) => {
    if (url === '' || /^(?:[a-z][a-z0-9+.-]*:|#)/i.test(url)) return match;
    try {
      return `url(${quote || '"'}${new URL(url, base).href}${quote || '"'})`;
    } catch {
      return match;
    }
  });
}

/** What a recorder knows about the page's sheets. */
export interface SheetTracker {
  /** Sheets changed through the CSSOM since capture started: their DOM text is stale. */
  readonly touched: WeakSet<CSSStyleSheet>;
  /** Media lists carry no link to their sheet; this maps the ones seen so far. */
  readonly mediaOwners: WeakMap<MediaList, CSSStyleSheet>;
}

/** A fresh tracker for one recorder. */
export function createSheetTracker(): SheetTracker {
  return { touched: new WeakSet(), mediaOwners: new WeakMap() };
}

/**
 * Appends state attributes of a <style> or <link> element's sheet: `=css` when the
 * rendered rules are not what the DOM text or file says, `=sheetdisabled`, `=sheetmedia`.
 * Returns the number of pairs appended.
 */
export function pushSheetState(element: Element, out: unknown[], sheets: SheetTracker): number {
  const owner = element as HTMLStyleElement | HTMLLinkElement;
  const sheet = owner.sheet;
  if (!sheet) return 0;
  sheets.mediaOwners.set(sheet.media, sheet);
  let count = 0;
  if (element.localName === 'link') {
    const text = sheetText(sheet, sheet.href);
    if (text !== null) {
      out.push(StateAttr.Css, text);
      count++;
    }
  } else if (sheets.touched.has(sheet) || (element.textContent === '' && sheet.cssRules.length > 0)) {
    out.push(StateAttr.Css, sheetText(sheet, null) ?? '');
    count++;
  }
  if (sheet.disabled) {
    out.push(StateAttr.SheetDisabled, '1');
    count++;
  }
  const media = sheet.media.mediaText;
  if (media !== (element.getAttribute('media') ?? '')) {
    out.push(StateAttr.SheetMedia, media);
    count++;
  }
  return count;
}

/** The top-level sheet a CSSOM object belongs to (through @import and nested rules). */
function rootSheet(sheet: CSSStyleSheet | null | undefined): CSSStyleSheet | null {
  let current = sheet ?? null;
  while (current?.ownerRule?.parentStyleSheet) current = current.ownerRule.parentStyleSheet;
  return current;
}

/**
 * Watches CSSOM edits in a window and reports the affected top-level sheet, after marking
 * it touched.
 */
export function hookCssom(
  win: Window & typeof globalThis,
  onChange: (sheet: CSSStyleSheet) => void,
  sheets: SheetTracker,
  report: ErrorReporter,
): Disposer {
  const disposers: Disposer[] = [];
  const changed = (sheet: CSSStyleSheet | null) => {
    if (!sheet) return;
    sheets.touched.add(sheet);
    onChange(sheet);
  };
  const fromSheet = (self: unknown) => changed(rootSheet(self as CSSStyleSheet));
  const fromRule = (self: unknown) => changed(rootSheet((self as CSSRule).parentStyleSheet));
  const fromDeclaration = (self: unknown) => {
    const rule = (self as CSSStyleDeclaration).parentRule;
    // Inline styles (no parent rule) show up as `style` attribute mutations instead.
    if (rule) fromRule(rule);
  };
  const fromMedia = (self: unknown) => changed(sheets.mediaOwners.get(self as MediaList) ?? null);

  const sheetProto = win.CSSStyleSheet?.prototype;
  if (sheetProto) {
    for (const name of ['insertRule', 'deleteRule', 'addRule', 'removeRule', 'replaceSync']) {
      disposers.push(hookMethod(sheetProto, name, fromSheet, report));
    }
    disposers.push(
      hookMethod(
        sheetProto,
        'replace',
        (self, _args, result) => {
          void (result as Promise<unknown>).then(() => fromSheet(self), () => {});
        },
        report,
      ),
    );
  }
  const groupingProto = win.CSSGroupingRule?.prototype;
  if (groupingProto) {
    for (const name of ['insertRule', 'deleteRule']) disposers.push(hookMethod(groupingProto, name, fromRule, report));
  }
  const declarationProto = win.CSSStyleDeclaration?.prototype;
  if (declarationProto) {
    for (const name of ['setProperty', 'removeProperty']) {
      disposers.push(hookMethod(declarationProto, name, fromDeclaration, report));
    }
    disposers.push(hookSetter(declarationProto, 'cssText', fromDeclaration, report));
  }
  const styleRuleProto = win.CSSStyleRule?.prototype;
  if (styleRuleProto) disposers.push(hookSetter(styleRuleProto, 'selectorText', fromRule, report));
  const mediaProto = win.MediaList?.prototype;
  if (mediaProto) {
    for (const name of ['appendMedium', 'deleteMedium']) disposers.push(hookMethod(mediaProto, name, fromMedia, report));
    disposers.push(hookSetter(mediaProto, 'mediaText', fromMedia, report));
  }
  const styleSheetProto = win.StyleSheet?.prototype;
  if (styleSheetProto) disposers.push(hookSetter(styleSheetProto, 'disabled', fromSheet, report));
  return () => disposers.forEach((dispose) => dispose());
}
