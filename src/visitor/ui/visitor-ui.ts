/**
 * The default visitor UI (`GLANCE.Cobrowse.VisitorUI`, glance-reference §2.5), built on
 * the public Visitor API and its events only — so a site with `data-ui` can build its own
 * on the same ground. It shows:
 *
 * - the start button (`showButton`, `toggleButton`) and the terms dialog (`showTerms`),
 * - a session panel: "Session starting…", the code to read out for random keys, "waiting
 *   for agent", who is viewing, sharing paused, reconnecting, and End / Stop control,
 * - a border around the page while in session (marked when agents watch and when they
 *   control), and short announcements ("Agent is viewing your browser."),
 * - prompts for remote control (`rcrequested`) and navigation (`confirm`),
 * - an error box for failures the visitor should know about.
 *
 * Everything lives in the engine's layer: isolated from the site's CSS, never captured,
 * keyboard accessible, in the page's language.
 */
import type { AgentsState } from '../../shared/protocol/control.js';
import type { StartParams } from '../loader/handoff.js';
import type { UiControls, VisitorApi } from '../engine/visitor-api.js';
import { Dialogs } from './dialog.js';
import { format, type Strings } from './i18n.js';
import type { Layer } from './layer.js';
import { UI_CSS } from './styles.js';

/** The terms texts: the tag's `data-termstext` / `data-termsurl` (empty: the default text, no link). */
export interface TermsSource {
  termsText: string;
  termsUrl: string;
}

/** How long an announcement stays on screen, ms. */
export const TOAST_MS = 4_000;

/** Error codes shown to the visitor; the rest are the site's business (e.g. `maskingerror`). */
const SHOWN_ERRORS = new Set(['dupkey', 'service', 'conndrop']);

type Payload = Record<string, unknown>;

/** The default UI of one page. */
export class VisitorUI implements UiControls {
  private readonly container: HTMLElement;
  private readonly dialogs: Dialogs;
  private startButton: HTMLButtonElement | null = null;
  private panel: PanelParts | null = null;
  private border: HTMLElement | null = null;
  private errorBox: HTMLElement | null = null;
  private buttonShown = false;
  private reconnecting = false;
  private agents: AgentsState = { count: 0, agentlist: [] };
  private rc = false;

  constructor(
    private readonly api: VisitorApi,
    private readonly layer: Layer,
    private readonly strings: Strings,
    lang: string,
    private readonly terms: () => TermsSource,
  ) {
    layer.addStyles(UI_CSS);
    this.container = layer.create('div', 'oc-ui');
    this.container.lang = lang;
    this.dialogs = new Dialogs(layer, () => this.container);
    const on = (name: string, fn: (payload: Payload) => void) => api.addEventListener(name, (payload) => fn((payload ?? {}) as Payload));
    on('sessionstarting', () => this.render());
    on('sessionstart', () => this.render());
    on('sessioncontinue', () => this.render());
    on('agents', (payload) => this.onAgents(payload as unknown as AgentsState));
    on('rc', (payload) => this.onRc(payload.enabled === true));
    on('sessionpaused', () => this.render());
    on('connection', (payload) => {
      this.reconnecting = payload.status === 'reconnecting';
      this.render();
    });
    on('sessionend', () => this.onEnd());
    on('blur', () => this.onEnd(false));
    on('error', (payload) => this.onError(String(payload.code ?? '')));
    on('rcrequested', (payload) => this.promptRc(payload));
    on('confirm', (payload) => this.promptNavigate(payload));
  }

  showButton(show: boolean): void {
    this.buttonShown = show;
    this.render();
  }

  toggleButton(): void {
    this.showButton(!this.buttonShown);
  }

  /** The terms dialog: Accept starts the session with `params` (or the start params), Decline does nothing. */
  showTerms(params?: StartParams): void {
    if (this.api.inSession()) return;
    const s = this.strings;
    const terms = this.terms();
    this.dialogs.show({
      kind: 'terms',
      role: 'dialog',
      title: s.termsTitle,
      text: terms.termsText || s.termsText,
      link: terms.termsUrl ? { href: terms.termsUrl, label: s.termsLink } : undefined,
      buttons: [
        { label: s.decline, run: () => undefined },
        { label: s.accept, primary: true, run: () => this.api.startSession(params) },
      ],
      cancel: () => undefined,
    });
  }

  // -------------------------------------------------------------------------------------------

  private onAgents(agents: AgentsState): void {
    const had = this.agents.count;
    this.agents = agents;
    if (had === 0 && agents.count > 0) this.toast(this.viewingText());
    this.render();
  }

  private onRc(enabled: boolean): void {
    if (enabled && !this.rc) this.toast(this.strings.controlling);
    this.rc = enabled;
    this.render();
  }

  private onEnd(announce = true): void {
    this.agents = { count: 0, agentlist: [] };
    this.rc = false;
    this.reconnecting = false;
    this.dialogs.dismiss('rc');
    this.dialogs.dismiss('navigate');
    this.dialogs.dismiss('end');
    if (announce) this.toast(this.strings.sessionEnded);
    this.render();
  }

  private onError(code: string): void {
    if (!SHOWN_ERRORS.has(code)) return;
    const s = this.strings;
    const text = code === 'dupkey' ? s.errorDupkey : code === 'service' ? s.errorService : code === 'conndrop' ? s.errorConndrop : s.errorOther;
    this.errorBox?.remove();
    const box = (this.errorBox = this.layer.create('div', 'oc-error', this.container));
    box.setAttribute('role', 'alert');
    this.layer.create('h2', '', box).textContent = s.errorTitle;
    this.layer.create('p', '', box).textContent = text;
    const actions = this.layer.create('div', 'oc-actions', box);
    const close = this.layer.create('button', '', actions);
    close.type = 'button';
    close.textContent = s.close;
    close.addEventListener('click', () => {
      box.remove();
      if (this.errorBox === box) this.errorBox = null;
      this.render();
    });
    this.layer.mount();
    close.focus();
    this.render();
  }

  private promptRc(payload: Payload): void {
    const s = this.strings;
    const agent = payload.agent as { name?: string } | undefined;
    const accept = payload.accept as () => void;
    const decline = payload.decline as () => void;
    this.dialogs.show({
      kind: 'rc',
      role: 'alertdialog',
      title: s.rcPrompt,
      text: agent?.name ? format(s.rcPromptNamed, { name: agent.name }) : s.rcPrompt,
      buttons: [
        { label: s.no, run: decline },
        { label: s.yes, primary: true, run: accept },
      ],
      cancel: decline,
    });
  }

  private promptNavigate(payload: Payload): void {
    const s = this.strings;
    const url = String(payload.url ?? '');
    const steps: Record<string, string> = { back: s.historyBack, forward: s.historyForward, refresh: s.historyRefresh };
    const text = steps[url] ?? format(payload.open ? s.openPrompt : s.navigatePrompt, { url });
    const accept = payload.accept as () => void;
    const decline = (payload.decline as (() => void) | undefined) ?? (() => undefined);
    this.dialogs.show({
      kind: 'navigate',
      role: 'alertdialog',
      title: text,
      text: '',
      buttons: [
        { label: s.no, run: decline },
        { label: s.yes, primary: true, run: accept },
      ],
      cancel: decline,
    });
  }

  private confirmEnd(): void {
    const s = this.strings;
    this.dialogs.show({
      kind: 'end',
      role: 'alertdialog',
      title: s.endConfirm,
      text: '',
      buttons: [
        { label: s.no, run: () => undefined },
        { label: s.yes, primary: true, run: () => this.api.stopSession() },
      ],
      cancel: () => undefined,
    });
  }

  private viewingText(): string {
    const only = this.agents.count === 1 ? this.agents.agentlist[0]?.name : undefined;
    return only ? format(this.strings.viewingNamed, { name: only }) : this.strings.viewing;
  }

  /** Shows a short message and reads it to screen readers. */
  private toast(text: string): void {
    this.layer.mount();
    const toast = this.layer.create('div', 'oc-toast', this.container);
    toast.setAttribute('aria-hidden', 'true'); // the live region reads it, once
    toast.textContent = text;
    this.layer.announce(text);
    setTimeout(() => toast.remove(), TOAST_MS);
  }

  /** Brings the button, panel and border in line with the session's state. */
  private render(): void {
    const inSession = this.api.inSession();
    const s = this.strings;
    this.layer.mount();

    // The start button: only outside a session, and while no error box covers its place.
    if (this.buttonShown && !inSession && !this.errorBox) {
      if (!this.startButton) {
        const button = (this.startButton = this.layer.create('button', 'oc-start oc-primary', this.container));
        button.type = 'button';
        button.textContent = s.button;
        button.setAttribute('aria-label', s.buttonLabel);
        button.addEventListener('click', () => this.showTerms());
      }
    } else {
      this.startButton?.remove();
      this.startButton = null;
    }

    if (!inSession) {
      this.panel?.panel.remove();
      this.border?.remove();
      this.panel = this.border = null;
      return;
    }

    if (!this.border) this.border = this.layer.create('div', 'oc-border', this.container);
    this.border.classList.toggle('oc-joined', this.agents.count > 0);
    this.border.classList.toggle('oc-rc', this.rc);
    this.border.setAttribute('aria-hidden', 'true');

    this.panel ??= this.createPanel();
    this.renderPanel(this.panel);
  }

  /** Builds the panel's parts once; `renderPanel` only changes their text and visibility (focus stays put). */
  private createPanel(): PanelParts {
    const s = this.strings;
    const panel = this.layer.create('div', 'oc-panel', this.container);
    panel.setAttribute('role', 'region');
    panel.setAttribute('aria-label', s.widgetLabel);
    const status = this.layer.create('p', 'oc-status', panel);
    const code = this.layer.create('strong', 'oc-code', panel);
    const paused = this.layer.create('p', 'oc-note oc-paused', panel);
    paused.textContent = s.paused;
    const reconnecting = this.layer.create('p', 'oc-note oc-reconnecting', panel);
    reconnecting.setAttribute('role', 'status');
    const actions = this.layer.create('div', 'oc-actions', panel);
    const stop = this.layer.create('button', 'oc-stop-control', actions);
    stop.type = 'button';
    stop.textContent = s.stopControl;
    stop.addEventListener('click', () => this.api.enableRC(false));
    const end = this.layer.create('button', 'oc-end', actions);
    end.type = 'button';
    end.textContent = s.endSession;
    end.addEventListener('click', () => this.confirmEnd());
    return { panel, status, code, paused, reconnecting, stop };
  }

  private renderPanel(parts: PanelParts): void {
    const s = this.strings;
    const api = this.api;
    parts.panel.hidden = this.errorBox !== null;
    const key = api.getKey();
    const showCode = api.readyState !== api.READYSTATE.sessionstarting && this.agents.count === 0 && api.isRandomKey() && key !== null;
    let status: string;
    if (api.readyState === api.READYSTATE.sessionstarting || key === null) status = s.starting;
    else if (this.agents.count > 0) status = this.rc ? s.controlling : this.viewingText();
    else status = showCode ? s.code : s.waiting;
    if (parts.status.textContent !== status) parts.status.textContent = status;
    parts.code.hidden = !showCode;
    if (showCode && parts.code.textContent !== key) {
      parts.code.textContent = key;
      // Read digit by digit: "1 2 3 4", not "one thousand two hundred…".
      parts.code.setAttribute('aria-label', key.split('').join(' '));
    }
    parts.paused.hidden = !api.isSessionPaused();
    parts.reconnecting.hidden = !this.reconnecting;
    // Emptied while hidden, so the status role announces the text when it comes back.
    parts.reconnecting.textContent = this.reconnecting ? s.reconnecting : '';
    parts.stop.hidden = !this.rc;
  }
}

/** The session panel's parts. */
interface PanelParts {
  panel: HTMLElement;
  status: HTMLElement;
  code: HTMLElement;
  paused: HTMLElement;
  reconnecting: HTMLElement;
  stop: HTMLButtonElement;
}
