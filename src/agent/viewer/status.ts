/**
 * The viewer's toolbar: link and session status in a polite live region, the session key,
 * the visitor's page, the agents in the session, the viewport and scale, and the controls
 * ([VW5] in SPEC.md). Every control is a real `<button>`, reachable with the keyboard.
 */
import type { StatusLine } from './status-text.js';
import type { FitMode } from './layout.js';

/** What the toolbar's buttons do. */
export interface ToolbarActions {
  /** The agent switched between fit and actual size. */
  setMode(mode: FitMode): void;
  /** The agent asked to reconnect now instead of waiting. */
  retry(): void;
}

/** The toolbar at the top of the viewer. */
export class Toolbar {
  /** The toolbar element. */
  readonly element: HTMLElement;
  private readonly linkDot: HTMLElement;
  private readonly linkText: HTMLElement;
  private readonly sessionDot: HTMLElement;
  private readonly sessionText: HTMLElement;
  private readonly visitorName: HTMLElement;
  private readonly pageTitle: HTMLElement;
  private readonly pageUrl: HTMLAnchorElement;
  private readonly agents: HTMLElement;
  private readonly geometry: HTMLElement;
  private readonly actualButton: HTMLButtonElement;
  private readonly retryButton: HTMLButtonElement;
  private mode: FitMode = 'fit';

  constructor(parent: HTMLElement, key: string, agentName: string, actions: ToolbarActions) {
    const doc = parent.ownerDocument;
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text = ''): HTMLElementTagNameMap[K] => {
      const node = doc.createElement(tag);
      node.className = className;
      if (text) node.textContent = text;
      return node;
    };

    this.element = el('header', 'oc-toolbar');

    // Status: one polite live region, so screen readers hear changes without being interrupted.
    const status = el('div', 'oc-status');
    status.setAttribute('role', 'status');
    status.setAttribute('aria-live', 'polite');
    const sessionChip = el('span', 'oc-chip oc-chip--session');
    this.sessionDot = el('span', 'oc-dot');
    this.sessionText = el('span', 'oc-chip-text');
    sessionChip.append(this.sessionDot, this.sessionText, el('span', 'oc-sr-only', '. '));
    const linkChip = el('span', 'oc-chip oc-chip--link');
    this.linkDot = el('span', 'oc-dot');
    this.linkText = el('span', 'oc-chip-text');
    // The chips read as one sentence: "Live. Connection: Connected".
    linkChip.append(this.linkDot, el('span', 'oc-sr-only', 'Connection: '), this.linkText);
    status.append(sessionChip, linkChip);

    this.retryButton = el('button', 'oc-button', 'Retry now');
    this.retryButton.type = 'button';
    this.retryButton.hidden = true;
    this.retryButton.addEventListener('click', () => actions.retry());

    const session = el('div', 'oc-field oc-session');
    session.append(el('span', 'oc-label', 'Session'), el('span', 'oc-key', key));
    this.visitorName = el('span', 'oc-visitor');
    this.visitorName.hidden = true;
    session.append(this.visitorName);

    const page = el('div', 'oc-field oc-page');
    this.pageTitle = el('span', 'oc-page-title');
    this.pageUrl = el('a', 'oc-page-url');
    this.pageUrl.target = '_blank';
    this.pageUrl.rel = 'noopener noreferrer';
    page.append(this.pageTitle, this.pageUrl);
    page.hidden = true;

    this.agents = el('span', 'oc-field oc-agents');
    this.agents.hidden = true;

    const view = el('div', 'oc-field oc-view');
    this.geometry = el('span', 'oc-geometry');
    this.geometry.title = 'The visitor’s viewport and the scale it is shown at';
    this.actualButton = el('button', 'oc-button', 'Actual size');
    this.actualButton.type = 'button';
    this.actualButton.setAttribute('aria-pressed', 'false');
    this.actualButton.title = 'Show the page at 100% (scroll to see all of it)';
    this.actualButton.addEventListener('click', () => {
      this.mode = this.mode === 'fit' ? 'actual' : 'fit';
      this.actualButton.setAttribute('aria-pressed', String(this.mode === 'actual'));
      actions.setMode(this.mode);
    });
    view.append(this.geometry, this.actualButton);
    view.hidden = true;

    const me = el('span', 'oc-field oc-me', agentName);
    me.title = 'Signed in as';
    me.hidden = !agentName;

    this.element.append(status, this.retryButton, session, page, this.agents, view, me);
    parent.prepend(this.element);
  }

  /** Shows the session and link status. */
  setStatus(session: StatusLine, link: StatusLine, canRetry: boolean): void {
    setText(this.sessionText, session.text);
    this.sessionDot.dataset['tone'] = session.tone;
    setText(this.linkText, link.text);
    this.linkDot.dataset['tone'] = link.tone;
    this.retryButton.hidden = !canRetry;
  }

  /** Shows the visitor's name (from the session), if any. */
  setVisitor(name: string | undefined): void {
    this.visitorName.hidden = !name;
    setText(this.visitorName, name ?? '');
  }

  /** Shows the visitor's page title and address. */
  setPage(url: string, title: string): void {
    const page = this.pageTitle.parentElement!;
    page.hidden = !url && !title;
    setText(this.pageTitle, title || 'Untitled page');
    setText(this.pageUrl, url);
    this.pageUrl.title = url;
    // Only a web address becomes a link: the page could announce anything as its URL.
    if (/^https?:/i.test(url)) this.pageUrl.href = url;
    else this.pageUrl.removeAttribute('href');
  }

  /** Shows how many agents are in the session (this one included). */
  setAgents(count: number | null): void {
    this.agents.hidden = count === null;
    setText(this.agents, count === 1 ? '1 agent' : `${count ?? 0} agents`);
  }

  /** Shows the viewport and scale ("1280 × 800 · 75%"); empty hides it. */
  setGeometry(text: string): void {
    setText(this.geometry, text);
    // Nothing to scale before the first page: the whole view control goes.
    this.geometry.parentElement!.hidden = !text;
  }
}

/** Sets text only when it changed, so the live region does not re-announce the same words. */
function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}
