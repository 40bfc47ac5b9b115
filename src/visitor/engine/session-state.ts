/**
 * What the page knows of its session's state: the last payload of every stateful event
 * (Glance `getSessionState(name, subname?)`), the visitor's user state and the pause.
 * Restored from the `welcome` ([AP7]) so a continued page, or a late listener, reads the
 * same state the agents see.
 */
import type { AgentsState, PauseState, RemoteControlState, ScreenshareState, SessionState } from '../../shared/protocol/control.js';

/** Names of the stateful events `getSessionState` answers for. */
export const STATEFUL_EVENTS = ['agents', 'rc', 'sessionpaused', 'screenshare', 'accessibility', 'connection'] as const;
/** One of {@link STATEFUL_EVENTS}. */
export type StatefulEvent = (typeof STATEFUL_EVENTS)[number];

/** The page's copy of the session state. */
export class SessionStateStore {
  private readonly last = new Map<StatefulEvent, object>();
  /** Screen shares by view id (`getSessionState("screenshare", "glance_screenshare")`). */
  private readonly screenshares = new Map<string, ScreenshareState>();
  private userState: Record<string, unknown> = {};
  paused: PauseState = { paused: false, message: '' };
  rc: RemoteControlState = { enabled: false, suspended: false };
  accessibility = false;
  agents: AgentsState = { count: 0, agentlist: [] };

  /**
   * Takes the server's state on the first welcome of a page ([AP7]). The events it implies
   * are not fired here; the session fires `statereceived` and then what must be re-fired.
   */
  restore(state: SessionState, agents: AgentsState): void {
    this.userState = { ...state.userState };
    this.setPaused(state.paused);
    this.setRc(state.rc);
    this.setAccessibility(state.accessibility);
    this.setAgents(agents);
    this.screenshares.clear();
    if (state.screenshare) this.setScreenshare(state.screenshare);
  }

  /** The last payload of a stateful event (with `subname`, the screen share of that view), or undefined. */
  get(name: string, subname?: string): object | undefined {
    if (name === 'screenshare' && subname !== undefined) return this.screenshares.get(subname);
    return this.last.get(name as StatefulEvent);
  }

  /** Records an event's payload if the event is stateful. */
  record(name: string, payload: object): void {
    if ((STATEFUL_EVENTS as readonly string[]).includes(name)) this.last.set(name as StatefulEvent, payload);
  }

  setAgents(agents: AgentsState): void {
    this.agents = agents;
    this.last.set('agents', agents);
  }

  setRc(rc: RemoteControlState): void {
    this.rc = { enabled: rc.enabled, suspended: rc.enabled && rc.suspended };
    this.last.set('rc', this.rc);
  }

  setPaused(paused: PauseState): void {
    this.paused = { paused: paused.paused, message: paused.paused ? paused.message : '' };
    this.last.set('sessionpaused', this.paused);
  }

  setAccessibility(enabled: boolean): void {
    this.accessibility = enabled;
    this.last.set('accessibility', { enabled });
  }

  setScreenshare(state: ScreenshareState): void {
    if (state.state === 'ended') this.screenshares.delete(state.screenshareView);
    else this.screenshares.set(state.screenshareView, state);
    this.last.set('screenshare', state);
  }

  getUserState(name: string): unknown {
    return Object.hasOwn(this.userState, name) ? this.userState[name] : undefined;
  }

  setUserState(name: string, value: unknown): void {
    this.userState[name] = value;
  }
}
