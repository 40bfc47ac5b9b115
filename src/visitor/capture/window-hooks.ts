/**
 * Per-window hooks of the recorder ([PS5]–[PS7]): what changes without a DOM mutation —
 * form values set by script, CSSOM edits, adopted stylesheets, new shadow roots and
 * history navigation. Installed once per window (the page's and each same-origin iframe's).
 */
import { hookMethod, hookSetter, type Disposer, type ErrorReporter } from './hooks.js';
import { hookCssom, type SheetTracker } from './stylesheets.js';

/** A window of the page, with its own constructors. */
export type PageWindow = Window & typeof globalThis;

/** What the recorder wants to hear from a window's hooks. */
export interface WindowHookHandlers {
  /** A form control's value, checkedness or selection was set (an option reports its select). */
  formChanged(element: Element): void;
  /** A stylesheet changed through the CSSOM (already marked touched in the tracker). */
  sheetChanged(sheet: CSSStyleSheet): void;
  /** A document's or shadow root's `adoptedStyleSheets` was assigned. */
  adoptionChanged(root: Document | ShadowRoot): void;
  /** An element got a shadow root (open or closed: the page sees both rendered). */
  shadowAttached(host: Element, root: ShadowRoot): void;
  /** `history.pushState`/`replaceState` changed the address. */
  locationChanged(): void;
}

/** Installs the hooks on `win`; the disposer removes them all. */
export function hookPageWindow(
  win: PageWindow,
  handlers: WindowHookHandlers,
  sheets: SheetTracker,
  report: ErrorReporter,
): Disposer {
  const disposers: Disposer[] = [];
  const formChanged = (self: unknown) => {
    const element = self as Element;
    const target =
      element.localName === 'option' ? (element as HTMLOptionElement).parentElement?.closest('select') : element;
    if (target) handlers.formChanged(target);
  };
  for (const [proto, names] of [
    [win.HTMLInputElement?.prototype, ['value', 'checked', 'indeterminate']],
    [win.HTMLTextAreaElement?.prototype, ['value']],
    [win.HTMLSelectElement?.prototype, ['value', 'selectedIndex']],
    [win.HTMLOptionElement?.prototype, ['selected']],
  ] as const) {
    if (proto) for (const name of names) disposers.push(hookSetter(proto, name, formChanged, report));
  }
  disposers.push(hookCssom(win, (sheet) => handlers.sheetChanged(sheet), sheets, report));
  const adoptionChanged = (self: unknown) => handlers.adoptionChanged(self as Document | ShadowRoot);
  if (win.Document) disposers.push(hookSetter(win.Document.prototype, 'adoptedStyleSheets', adoptionChanged, report));
  if (win.ShadowRoot) disposers.push(hookSetter(win.ShadowRoot.prototype, 'adoptedStyleSheets', adoptionChanged, report));
  if (win.Element) {
    disposers.push(
      hookMethod(
        win.Element.prototype,
        'attachShadow',
        (self, _args, result) => {
          // Closed roots render like open ones: the hook is the only way to see them.
          if (result) handlers.shadowAttached(self as Element, result as ShadowRoot);
        },
        report,
      ),
    );
  }
  if (win.History) {
    const changed = () => handlers.locationChanged();
    disposers.push(hookMethod(win.History.prototype, 'pushState', changed, report));
    disposers.push(hookMethod(win.History.prototype, 'replaceState', changed, report));
  }
  return () => disposers.forEach((dispose) => dispose());
}
