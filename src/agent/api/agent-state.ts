/**
 * What the CRM page knows of the session, for the Agent API's synchronous getters
 * (`getSessionState`, `getUserState`, `accessibilityEnabled`). The viewer sends a snapshot
 * when the bridge connects and every change as an event; this keeps the latest of each.
 */
import { STATEFUL_EVENTS, type StateSnapshot } from './bridge-protocol.js';

/** The session state as the CRM page sees it. */
export class AgentState {
  private events = new Map<string, unknown>();
  private userState = new Map<string, unknown>();
  private accessibility: boolean | null = null;

  /**
   * Replaces everything with the viewer's snapshot (a fresh or reloaded viewer). A switch of
   * accessibility the agent made stays in force until the server's `accessibility` event:
   * the call may still be waiting to go out.
   */
  reset(snapshot: StateSnapshot): void {
    this.events = new Map(Object.entries(snapshot.events).filter(([name]) => STATEFUL_EVENTS.includes(name)));
    this.userState = new Map(Object.entries(snapshot.userState));
  }

  /**
   * Records an event's payload when it is a stateful one, and user state. `statereceived`
   * carries the whole state (the viewer joined or rejoined): it replaces what was known.
   */
  record(name: string, data: unknown): void {
    if (name === 'statereceived' && isSnapshot(data)) {
      this.reset(data);
      return;
    }
    if (STATEFUL_EVENTS.includes(name)) {
      this.events.set(name, data);
      if (name === 'accessibility') this.accessibility = null;
    }
    if (name === 'userstate' && typeof data === 'object' && data !== null) {
      const { name: key, value } = data as { name?: unknown; value?: unknown };
      if (typeof key === 'string') this.userState.set(key, value);
    }
  }

  /**
   * The agent switched accessibility on or off: `accessibilityEnabled()` says so at once,
   * before the server confirms (the confirmation then takes over).
   */
  expectAccessibility(enabled: boolean): void {
    this.accessibility = enabled;
  }

  /** The agent's switch did not go out: the session's own value counts again. */
  dropExpectation(): void {
    this.accessibility = null;
  }

  /** The latest payload of a stateful event, or undefined. */
  sessionState(name: string): unknown {
    return this.events.get(name);
  }

  /** A value the visitor stored with `setUserState`, or undefined. */
  userValue(name: string): unknown {
    return this.userState.get(name);
  }

  /** Whether gestures are announced to the visitor's screen reader. */
  get accessibilityEnabled(): boolean {
    if (this.accessibility !== null) return this.accessibility;
    const event = this.events.get('accessibility') as { enabled?: unknown } | undefined;
    return event?.enabled === true;
  }
}

function isSnapshot(data: unknown): data is StateSnapshot {
  if (typeof data !== 'object' || data === null) return false;
  const { events, userState } = data as Partial<StateSnapshot>;
  return typeof events === 'object' && events !== null && typeof userState === 'object' && userState !== null;
}
