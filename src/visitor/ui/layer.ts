/**
 * The one element the visitor engine adds to the page: a host under `<html>` whose shadow
 * root holds everything we draw (the default UI, the agent's pointer, gesture highlights,
 * the screen-reader live region). The shadow root keeps the site's CSS out and ours in;
 * the recorder is told to ignore the host, so none of it reaches the agent's mirror ([CP6]).
 *
 * Styles are constructed stylesheets and CSSOM properties, never `<style>` elements or
 * `style` attributes: a site's CSP without `'unsafe-inline'` allows those.
 */

/** The host's tag name (a valid custom element name, so it may have a shadow root). */
export const LAYER_TAG = 'opencobrowse-ui';

/** Properties of the host; `!important` so the site's rules for `html > *` cannot move or hide it. */
const HOST_STYLE: ReadonlyArray<[string, string]> = [
  ['all', 'initial'],
  ['position', 'fixed'],
  ['top', '0'],
  ['left', '0'],
  ['width', '0'],
  ['height', '0'],
  ['overflow', 'visible'],
  ['z-index', '2147483647'],
  ['display', 'block'],
];

/** The base rules every part of our UI builds on. */
const BASE_CSS = `
:host{all:initial}
*{box-sizing:border-box}
.oc-sr{position:fixed;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
`;

/** The engine's layer on the page. */
export class Layer {
  readonly host: HTMLElement;
  readonly root: ShadowRoot;
  private readonly sheets: CSSStyleSheet[] = [];
  private readonly added = new Set<string>();
  private readonly live: HTMLElement;
  private readonly alert: HTMLElement;

  constructor(private readonly doc: Document) {
    this.host = doc.createElement(LAYER_TAG);
    for (const [name, value] of HOST_STYLE) this.host.style.setProperty(name, value, 'important');
    this.root = this.host.attachShadow({ mode: 'open' });
    this.addStyles(BASE_CSS);
    // Two live regions: polite for what the agent does, assertive for what needs the visitor.
    this.live = this.region('status', 'polite');
    this.alert = this.region('alert', 'assertive');
  }

  /** Makes sure the host is in the page (a site may have replaced `<html>`'s children). */
  mount(): ShadowRoot {
    if (!this.host.isConnected) this.doc.documentElement.appendChild(this.host);
    return this.root;
  }

  /** Whether `node` is ours (the host or anything inside it): never a target of agent actions. */
  owns(node: Node | null): boolean {
    for (let current = node; current; ) {
      if (current === this.host || current === this.root) return true;
      current = current.parentNode ?? (current as ShadowRoot).host ?? null;
    }
    return false;
  }

  /** Adds rules to the shadow root (once per text: every session's overlay asks again). */
  addStyles(css: string): void {
    if (this.added.has(css)) return;
    this.added.add(css);
    const win = this.doc.defaultView;
    try {
      const sheet = new (win ?? window).CSSStyleSheet();
      sheet.replaceSync(css);
      this.sheets.push(sheet);
      this.root.adoptedStyleSheets = [...this.sheets];
    } catch {
      // Browsers without constructable stylesheets (Safari < 16.4) get a <style> element.
      const style = this.doc.createElement('style');
      style.textContent = css;
      this.root.prepend(style);
    }
  }

  /**
   * Has screen readers read `text`: politely (after what they are reading), or at once
   * with `assertive`. The same text twice in a row is read twice.
   */
  announce(text: string, assertive = false): void {
    this.mount();
    const region = assertive ? this.alert : this.live;
    region.textContent = '';
    // A new text node in a later task is what every screen reader notices as a change.
    setTimeout(() => {
      region.textContent = text;
    }, 50);
  }

  /** Creates an element with classes in the shadow root (appended to `parent`, default the root). */
  create<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, parent: ParentNode = this.root): HTMLElementTagNameMap[K] {
    const element = this.doc.createElement(tag);
    if (className) element.className = className;
    parent.appendChild(element);
    return element;
  }

  /** Removes the host from the page. */
  unmount(): void {
    this.host.remove();
  }

  private region(role: string, live: string): HTMLElement {
    const region = this.create('div', 'oc-sr');
    region.setAttribute('role', role);
    region.setAttribute('aria-live', live);
    region.setAttribute('aria-atomic', 'true');
    return region;
  }
}
