/**
 * Agent-driven navigation on the visitor's page ([NV1]–[NV3]): the target is checked again
 * here, whatever the server said, then either asked of the visitor (`confirm` event, the
 * default UI prompts) or, while the visitor has granted remote control, done at once —
 * by `location`, `window.open` or a generated link, or as a history step.
 */
import type { AgentInfo, NavigateRequest } from '../../shared/protocol/control.js';
import type { RemoteHost } from './remote-host.js';
import { hostMatches } from '../../shared/trusted-domains.js';

/** The history keywords of the Agent API's `navigate` and their one-letter forms. */
const KEYWORDS: Readonly<Record<string, HistoryStep>> = {
  forward: 'forward',
  back: 'back',
  refresh: 'refresh',
  f: 'forward',
  b: 'back',
  r: 'refresh',
};

/** A step in the visitor's history. */
export type HistoryStep = 'forward' | 'back' | 'refresh';

/** Where a navigation goes, or why it may not. */
export type NavigationTarget =
  | { ok: true; kind: 'history'; step: HistoryStep }
  | { ok: true; kind: 'url'; url: string }
  | { ok: false; reason: string };


/**
 * Checks a navigation target ([NV1], [NV3]): a history keyword, or an http(s) URL
 * (relative to the page) without credentials on the page's own host or a trusted domain.
 */
export function checkNavigation(requested: string, pageUrl: string, trustedDomains: readonly string[]): NavigationTarget {
  const step = KEYWORDS[requested.trim().toLowerCase()];
  if (step) return { ok: true, kind: 'history', step };
  let target: URL;
  let page: URL;
  try {
    page = new URL(pageUrl);
    target = new URL(requested, page);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') return { ok: false, reason: `scheme ${target.protocol} is not allowed` };
  if (target.username || target.password) return { ok: false, reason: 'credentials in the URL are not allowed' };
  if (target.hostname !== page.hostname && !trustedDomains.some((domain) => hostMatches(target.hostname, domain))) {
    return { ok: false, reason: `${target.hostname} is not this site or a trusted domain` };
  }
  return { ok: true, kind: 'url', url: target.href };
}

/** A navigation command as the visitor receives it. */
export type NavigateCommand = NavigateRequest & { agent: AgentInfo };

/** Whether the agent asked for the visitor's confirmation. */
const wantsConfirm = (command: NavigateCommand) => command.confirm !== undefined && command.confirm !== null && command.confirm !== false;

/** Handles the agent's `navigate` commands for one session. */
export class Navigator {
  constructor(private readonly host: RemoteHost) {}

  /** Checks a command and navigates, or asks the visitor first (`confirm`). */
  handle(command: NavigateCommand): void {
    const { win, log } = this.host;
    const target = checkNavigation(command.url, win.location.href, this.host.settings().trustedDomains);
    if (!target.ok) {
      log.warn(`refused the agent's navigation to ${command.url}: ${target.reason}`);
      return;
    }
    if (wantsConfirm(command)) {
      let answered = false;
      const once = (fn: () => void) => () => {
        if (answered) return;
        answered = true;
        fn();
      };
      const { agent: _agent, ...params } = command;
      this.host.emit('confirm', {
        ...params,
        url: target.kind === 'url' ? target.url : target.step,
        agent: { ...command.agent },
        accept: once(() => this.go(target, command)),
        decline: once(() => undefined),
      });
      return;
    }
    // [NV2] without a prompt, only while the visitor has handed over control.
    if (!this.host.state.rc.enabled) {
      log.warn(`refused the agent's navigation to ${command.url}: remote control is not granted`);
      return;
    }
    this.go(target, command);
  }

  private go(target: Exclude<NavigationTarget, { ok: false }>, command: NavigateCommand): void {
    const { win, log } = this.host;
    if (target.kind === 'history') {
      if (target.step === 'back') win.history.back();
      else if (target.step === 'forward') win.history.forward();
      else win.location.reload();
      return;
    }
    if (command.open) {
      // Agent-given window features are a plain string for window.open, nothing runs.
      const opened = win.open(target.url, command.open.target || '_blank', command.open.features ?? '');
      if (!opened) log.warn(`the browser blocked the window the agent opened (${target.url})`);
      return;
    }
    if (command.link) {
      const link = win.document.createElement('a');
      link.href = target.url;
      link.target = command.link.target || '_self';
      if (link.target === '_blank') link.rel = 'noopener';
      // Inside our layer: never captured, never styled by the site.
      this.host.layer.mount().appendChild(link);
      link.click();
      link.remove();
      return;
    }
    win.location.assign(target.url);
  }
}
