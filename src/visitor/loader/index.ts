/**
 * The loader: the small script a site puts on every page
 * (`<script id="glance-cobrowse" src="…/cobrowse/CobrowseJS.ashx?group=G&site=S" data-groupid="G" data-site="S">`).
 *
 * It reads the tag's config, installs the `GLANCE.Cobrowse.Visitor` stub and the
 * `GLANCE.Cobrowse.Loader` hand-off (see handoff.ts), and loads the visitor engine only
 * when a session starts or one is already running (a page load inside a session). It
 * never throws into the page.
 */
import { findConfigTag, readConfig } from './config.js';
import { ENGINE_PATH, HANDOFF_VERSION, type GlanceGlobals, type LoaderHandoff, type StubState } from './handoff.js';
import { createStub } from './stub.js';
import { installTriggers } from './triggers.js';
import { readStoredSession } from '../engine/session-store.js';
import { isTopLevel } from '../engine/page.js';
import { isHelperPage } from '../xdom/protocol.js';

// Only available while this script runs for the first time, so read it before anything else.
const current = document.currentScript as HTMLScriptElement | null;

try {
  install(window as Window & GlanceGlobals);
} catch (error) {
  console.error('[cobrowse] the loader failed', error);
}

function install(win: Window & GlanceGlobals): void {
  const glance = (win.GLANCE ??= {});
  const cobrowse = (glance.Cobrowse ??= {});
  // Included twice (or the engine is already in): keep what is there.
  if (cobrowse.Visitor || cobrowse.Loader) return;

  const tag = findConfigTag(document, current);
  const { config, error } = readConfig(tag, win.GLANCE_COBROWSE, current?.src ?? '', location.href);
  const logError = (message: string) => {
    if (!config?.disableLogging) console.error(`[cobrowse] ${message}`);
  };
  if (error) logError(error);

  const state: StubState = { listeners: [], messageListeners: [], calls: [], startParams: undefined, engine: null };
  let loading = false;
  let waiting: Array<(loaded: boolean) => void> = [];

  const finish = (loaded: boolean, script: string) => {
    loading = false;
    const callbacks = waiting;
    waiting = [];
    if (!loaded) {
      // The queued starts die with the failed load; listeners stay for the next attempt.
      state.calls = [];
      logError(`could not load ${script}`);
      const payload = { code: 'SCRIPT_NOT_LOADED', msg: `could not load ${script}`, params: { script } };
      for (const [name, listener] of state.listeners.slice()) {
        if (name !== 'error') continue;
        try {
          listener(payload);
        } catch (thrown) {
          console.error('[cobrowse] an "error" listener threw', thrown);
        }
      }
    }
    for (const callback of callbacks) callback(loaded);
  };

  const load = (done?: (loaded: boolean) => void) => {
    if (!config) return done?.(false); // the tag is invalid: there is no engine to load
    if (done) waiting.push(done);
    if (state.engine) return finish(true, '');
    if (loading) return;
    loading = true;
    const src = config.server + ENGINE_PATH;
    const script = document.createElement('script');
    script.src = src;
    script.async = true;
    // A page with a nonce-based CSP allowed our tag; the engine needs the same nonce.
    if (current?.nonce) script.nonce = current.nonce;
    // The engine takes over synchronously when it runs, so `onload` knows whether it did.
    script.onload = () => finish(state.engine !== null, src);
    script.onerror = () => finish(false, src);
    (document.head ?? document.documentElement).appendChild(script);
  };

  // Inside an iframe the session belongs to the top page: never continue it here; nor in a
  // cross-domain helper page (`?GlanceSession=1`), which only stores the session ([XD2]).
  const topLevel = isTopLevel(win) && !isHelperPage(location);
  const continuing = !!config && topLevel && readStoredSession(config, [config.groupId, ...config.additionalGroupIds], config.site) !== null;

  const handoff: LoaderHandoff = {
    handoff: HANDOFF_VERSION,
    config,
    configError: error,
    stub: state,
    continuing,
    load,
  };
  cobrowse.Loader = handoff;
  const stub = createStub(state, (done) => load(done), () => loading, error, logError, (url, target) => {
    // crossDomain() without the engine: no session on this page, nothing to hand over.
    if (target && target !== '_self') win.open(url, target);
    else location.assign(url);
  });
  cobrowse.Visitor = stub;
  // `GLANCE.Cobrowse.VisitorUI` until the engine brings the real one.
  cobrowse.VisitorUI = { loaded: false, showButton: stub.showButton, toggleButton: stub.toggleButton, showTerms: stub.showTerms };
  if (continuing) load();
  // Buttons and hotkeys call whichever Visitor object is current (the stub, then the engine).
  installTriggers(
    document,
    config?.settings.inputevents,
    (method) => {
      const visitor = cobrowse.Visitor as Record<string, unknown> | undefined;
      const fn = visitor?.[method];
      if (typeof fn === 'function') (fn as () => void).call(visitor);
    },
    logError,
  );
}
