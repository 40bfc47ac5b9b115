/**
 * The session as the agent's side knows it, and its translation into Agent API events
 * ([AP1]–[AP8], [RC1]–[RC3], glance-reference §3.4).
 *
 * The viewer feeds it every session message from the server; it keeps the state (for the
 * toolbar and for `getSessionState` in the CRM page) and returns the Agent API events each
 * message means. Pure: no DOM, no socket.
 *
 *   joined       → agents, then rc / sessionpaused / pagevisibility / screenshare /
 *                  accessibility / navigate where they differ from what was known, then
 *                  statereceived
 *   agents       → agents {count, agentlist}
 *   rc           → rc {enabled, suspended}          rc-declined → rcdeclined
 *   paused       → sessionpaused {paused, message}   visibility  → pagevisibility 'visible'|'hidden'
 *   page         → navigate {url, title, browser, visitorversion}
 *   screenshare  → screenshare                        accessibility → accessibility {enabled}
 *   userstate    → userstate {name, value}           message → a session message
 *   denied       → accessdenied {action, reason}     ended → sessionend {reason}
 *   the viewer left → sessionend {reason: 'left'};  it cannot connect → connectfailed {code, detail}
 */
import type {
  AgentsState,
  BrowserInfo,
  PageInfo,
  PauseState,
  RemoteControlState,
  ScreenshareState,
  ServerToAgent,
} from '../../shared/protocol/control.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import type { StateSnapshot } from '../api/bridge-protocol.js';

/** Something the CRM page hears about. */
export type SessionChange =
  /** An Agent API event (`addEventListener`). */
  | { kind: 'event'; name: string; data: unknown }
  /** A session message from the visitor (`addSessionMessageListener`). */
  | { kind: 'message'; name: string; data: unknown };

/** The Agent API's `navigate` payload. */
export interface NavigateEvent {
  url: string;
  title: string;
  browser: BrowserInfo;
  /** The protocol version the visitor's engine speaks (Glance: the visitor script's version). */
  visitorversion: string;
}

/** The server messages the model takes. */
export type SessionMessage = Extract<
  ServerToAgent,
  {
    type:
      | 'joined'
      | 'agents'
      | 'message'
      | 'userstate'
      | 'rc'
      | 'rc-declined'
      | 'paused'
      | 'visibility'
      | 'page'
      | 'screenshare'
      | 'accessibility'
      | 'denied'
      | 'ended';
  }
>;

const event = (name: string, data?: unknown): SessionChange => ({ kind: 'event', name, data });

/** The agent's side of one viewer's session. */
export class SessionModel {
  agents: AgentsState | null = null;
  rc: RemoteControlState = { enabled: false, suspended: false };
  paused: PauseState = { paused: false, message: '' };
  visible = true;
  screenshare: ScreenshareState | null = null;
  accessibility = false;
  page: PageInfo | null = null;
  readonly userState = new Map<string, unknown>();
  /** Set once the session ended or this viewer stopped: no more `sessionend`. */
  over = false;

  /** Applies a server message; returns what the CRM page should hear. */
  apply(message: SessionMessage): SessionChange[] {
    switch (message.type) {
      case 'joined': {
        const { state } = message;
        const changes: SessionChange[] = [];
        this.agents = message.agents;
        changes.push(event('agents', message.agents));
        if (!sameJson(this.rc, state.rc)) changes.push(event('rc', (this.rc = state.rc)));
        if (!sameJson(this.paused, state.paused)) changes.push(event('sessionpaused', (this.paused = state.paused)));
        if (this.visible !== state.visible) changes.push(event('pagevisibility', visibility((this.visible = state.visible))));
        if (!sameJson(this.screenshare, state.screenshare)) {
          // A share that ended while this viewer was away is simply gone.
          this.screenshare = state.screenshare;
          if (state.screenshare) changes.push(event('screenshare', state.screenshare));
        }
        if (this.accessibility !== state.accessibility) {
          changes.push(event('accessibility', { enabled: (this.accessibility = state.accessibility) }));
        }
        if (!this.page || this.page.url !== state.page.url) changes.push(event('navigate', navigateEvent((this.page = state.page))));
        this.page = state.page;
        this.userState.clear();
        for (const [name, value] of Object.entries(state.userState)) this.userState.set(name, value);
        this.over = false;
        changes.push(event('statereceived', this.snapshot()));
        return changes;
      }
      case 'agents':
        this.agents = { count: message.count, agentlist: message.agentlist };
        return [event('agents', this.agents)];
      case 'message':
        return [{ kind: 'message', name: message.name, data: message.data }];
      case 'userstate':
        this.userState.set(message.name, message.value);
        return [event('userstate', { name: message.name, value: message.value })];
      case 'rc':
        this.rc = { enabled: message.enabled, suspended: message.suspended };
        return [event('rc', this.rc)];
      case 'rc-declined':
        return [event('rcdeclined')];
      case 'paused':
        this.paused = { paused: message.paused, message: message.message };
        return [event('sessionpaused', this.paused)];
      case 'visibility':
        this.visible = message.visible;
        return [event('pagevisibility', visibility(message.visible))];
      case 'page':
        this.page = { url: message.url, title: message.title, browser: message.browser };
        return [event('navigate', navigateEvent(this.page))];
      case 'screenshare': {
        const { type: _type, ...share } = message;
        this.screenshare = share.state === 'ended' ? null : share;
        return [event('screenshare', share)];
      }
      case 'accessibility':
        this.accessibility = message.enabled;
        return [event('accessibility', { enabled: message.enabled })];
      case 'denied':
        return [event('accessdenied', { action: message.action, reason: message.reason })];
      case 'ended':
        return this.end({ reason: message.reason });
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  /** This viewer left the session (`leaveSession` or the Leave button). */
  left(): SessionChange[] {
    return this.end({ reason: 'left' });
  }

  /** The viewer stopped for good without the session ending (refused, no such session, …). */
  failed(code: number, detail: string): SessionChange[] {
    if (this.over) return [];
    this.over = true;
    return [event('connectfailed', { code, detail })];
  }

  /** The stateful events' latest payloads and the user state, for a CRM page that connects. */
  snapshot(): StateSnapshot {
    const events: Record<string, unknown> = {
      rc: this.rc,
      sessionpaused: this.paused,
      pagevisibility: visibility(this.visible),
      accessibility: { enabled: this.accessibility },
    };
    if (this.agents) events['agents'] = this.agents;
    if (this.page) events['navigate'] = navigateEvent(this.page);
    if (this.screenshare) events['screenshare'] = this.screenshare;
    return { events, userState: Object.fromEntries(this.userState) };
  }

  private end(data: { reason: string }): SessionChange[] {
    if (this.over) return [];
    this.over = true;
    this.rc = { enabled: false, suspended: false };
    return [event('sessionend', data)];
  }
}

function visibility(visible: boolean): 'visible' | 'hidden' {
  return visible ? 'visible' : 'hidden';
}

function navigateEvent(page: PageInfo): NavigateEvent {
  return { url: page.url, title: page.title, browser: page.browser, visitorversion: String(PROTOCOL_VERSION) };
}

/** Equality of small JSON values (state payloads), key order included: both come from one serializer. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
