/**
 * The visitor engine (`/static/visitor.js`), loaded by the loader when a session starts
 * or is already running. It takes over from the loader's stub (see loader/handoff.ts):
 * installs the real `GLANCE.Cobrowse.Visitor`, registers the listeners the page added
 * meanwhile, continues a stored session (a page load inside a session), then replays
 * the page's queued calls in order. It never throws into the page, and uses no `eval`
 * or `new Function` (customer sites run strict CSPs).
 */
import { HANDOFF_VERSION, type GlanceGlobals, type LoaderHandoff } from '../loader/handoff.js';
import { createLog } from './log.js';
import { isTopLevel } from './page.js';
import { readStoredSession } from './session-store.js';
import { VisitorController } from './visitor-api.js';

try {
  boot(window as Window & GlanceGlobals);
} catch (error) {
  console.error('[cobrowse] the visitor engine failed to start', error);
}

function boot(win: Window & GlanceGlobals): void {
  const cobrowse = win.GLANCE?.Cobrowse;
  const handoff = cobrowse?.Loader as LoaderHandoff | undefined;
  if (!cobrowse || !handoff || handoff.handoff !== HANDOFF_VERSION) {
    console.error('[cobrowse] visitor.js is loaded by the cobrowse script tag (…/cobrowse/CobrowseJS.ashx); include that tag instead');
    return;
  }
  const stub = handoff.stub;
  const config = handoff.config;
  if (stub.engine || !config) return; // already running, or the tag is invalid (the loader said why)

  const controller = new VisitorController({ config, win, log: createLog(config.disableLogging) });
  const api = controller.api;
  cobrowse.Visitor = api;
  const listeners = stub.listeners.splice(0);
  const calls = stub.calls.splice(0);
  stub.engine = api;

  for (const [name, listener] of listeners) api.addEventListener(name, listener);
  if (isTopLevel(win)) {
    const stored = readStoredSession(config, config.groupId, config.site);
    if (stored) controller.continueSession(stored);
  }
  for (const [method, args] of calls) {
    if (method === 'startSession') api.startSession(args[0]);
    else if (method === 'stopSession') api.stopSession();
    else api.setStartParams(args[0]);
  }
}
