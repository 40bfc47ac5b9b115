/**
 * `GLANCE.Cobrowse.Visitor` before the engine is loaded: records listeners and calls, and
 * starts loading the engine when a session is asked for. Once the engine has taken over
 * (`state.engine` set), every method forwards to it, so a page that kept a reference to
 * the stub keeps working.
 */
import type { ForwardTarget, MessageListener, StartParams, StubState, VisitorListener } from './handoff.js';

/** The stub object installed as `GLANCE.Cobrowse.Visitor` (`loaded: false`). */
export interface VisitorStub extends ForwardTarget {
  readonly loaded: false;
  /** Glance's other name of `addSessionMessageListener`. */
  addSessionMessageHandler(name: string, listener: MessageListener): void;
}

/**
 * Creates the stub.
 *
 * @param state where calls and listeners are recorded (shared with the hand-off)
 * @param load starts loading the engine (idempotent)
 * @param isLoading whether the engine is being loaded (a stop is only worth keeping then)
 * @param configError why the tag's config is invalid, if it is: `startSession` reports it
 * @param logError prints a console error (unless logging is disabled)
 * @param navigate goes to an http(s) address (`crossDomain` on a page without the engine)
 */
export function createStub(
  state: StubState,
  load: (done?: (loaded: boolean) => void) => void,
  isLoading: () => boolean,
  configError: string | null,
  logError: (message: string) => void,
  navigate: (url: string, target?: string) => void,
): VisitorStub {
  /** A method that forwards to the engine, or queues the call and loads the engine. */
  const queued = (method: 'startSession' | 'showButton' | 'toggleButton' | 'showTerms') =>
    (...args: unknown[]) => {
      if (state.engine) return (state.engine[method] as (...a: unknown[]) => void)(...args);
      if (configError) return logError(`cannot ${method === 'startSession' ? 'start a session' : method}: ${configError}`);
      state.calls.push([method, args]);
      load();
    };
  const addMessageListener = (name: string, listener: MessageListener) => {
    if (state.engine) state.engine.addSessionMessageListener(name, listener);
    else if (typeof listener === 'function') state.messageListeners.push([name, listener]);
  };
  return {
    loaded: false,
    addSessionMessageListener: addMessageListener,
    addSessionMessageHandler: addMessageListener,
    inSession: () => state.engine?.inSession() ?? false,
    getKey: () => state.engine?.getKey() ?? null,
    isRandomKey: () => state.engine?.isRandomKey() ?? false,
    getStartParams: () => (state.engine ? state.engine.getStartParams() : state.startParams),
    addEventListener(name: string, listener: VisitorListener) {
      if (state.engine) state.engine.addEventListener(name, listener);
      else if (typeof listener === 'function') state.listeners.push([name, listener]);
    },
    removeEventListener(name: string, listener: VisitorListener) {
      if (state.engine) return state.engine.removeEventListener(name, listener);
      const index = state.listeners.findIndex(([n, l]) => n === name && l === listener);
      if (index >= 0) state.listeners.splice(index, 1);
    },
    setStartParams(params?: unknown) {
      if (state.engine) return state.engine.setStartParams(params);
      state.startParams = params as StartParams | undefined;
      state.calls.push(['setStartParams', [params]]);
    },
    startSession: queued('startSession'),
    // The default UI is part of the engine: showing it loads the engine (no session yet).
    showButton: queued('showButton'),
    toggleButton: queued('toggleButton'),
    showTerms: queued('showTerms'),
    isCrossDomainDone: () => state.engine?.isCrossDomainDone() ?? false,
    crossDomain(params?: unknown) {
      if (state.engine) return state.engine.crossDomain(params);
      // The engine is on its way (a page continuing a session): hand over once it is in.
      if (isLoading()) return new Promise((resolve) => load(() => resolve(state.engine?.crossDomain(params)))) as Promise<unknown>;
      const { url, target } = (params ?? {}) as { url?: unknown; target?: unknown };
      try {
        const href = typeof url === 'string' && url ? new URL(url, location.href) : null;
        if (href && /^https?:$/.test(href.protocol)) navigate(href.href, typeof target === 'string' ? target : undefined);
      } catch {
        logError('crossDomain: url must be an http(s) address');
      }
      return Promise.resolve({ done: true, results: [] });
    },
    stopSession() {
      if (state.engine) return state.engine.stopSession();
      // Nothing runs unless the engine is on its way (a session to continue, or a start queued).
      if (isLoading()) state.calls.push(['stopSession', []]);
    },
  };
}
