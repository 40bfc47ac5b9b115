/**
 * The visitor engine (`/static/visitor.js`), loaded by the loader when a session starts
 * or is already running, or when the site shows the default UI (`showButton`,
 * `showTerms`). It takes over from the loader's stub (see loader/handoff.ts): installs the
 * real `GLANCE.Cobrowse.Visitor` (and, unless `data-ui`, `GLANCE.Cobrowse.VisitorUI`),
 * registers the listeners the page added meanwhile, continues a stored session (a page
 * load inside a session), then replays the page's queued calls in order. It never throws
 * into the page, and uses no `eval` or `new Function` (customer sites run strict CSPs).
 */
import { HANDOFF_VERSION, type GlanceGlobals, type LoaderHandoff } from '../loader/handoff.js';
import { chooseLanguage, createVisitorUi, Layer } from '../ui/index.js';
import { createLog } from './log.js';
import { isTopLevel } from './page.js';
import { readStoredSession } from './session-store.js';
import { VisitorController } from './visitor-api.js';
import { isHelperPage } from '../xdom/protocol.js';

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

  const { lang, strings } = chooseLanguage(win.document);
  const layer = new Layer(win.document);
  const controller = new VisitorController({ config, win, log: createLog(config.disableLogging), layer, strings: () => strings });
  const api = controller.api;
  // A page that kept a reference to the stub (`const v = GLANCE.Cobrowse.Visitor`) gets the
  // whole API on it; the stub's own methods already forward to the engine.
  const previous = cobrowse.Visitor;
  if (previous && typeof previous === 'object') {
    for (const name of Object.keys(api)) {
      if (!(name in previous)) Object.defineProperty(previous, name, Object.getOwnPropertyDescriptor(api, name)!);
    }
  }
  cobrowse.Visitor = api;
  if (!config.customUi) {
    const text = (name: string) => {
      const value = config.settings[name];
      return typeof value === 'string' ? value : '';
    };
    // The tag's `data-termstext` / `data-termsurl` (the group's settings arrive only with a session).
    const terms = () => ({ termsText: text('termstext'), termsUrl: /^https?:\/\//i.test(text('termsurl')) ? text('termsurl') : '' });
    const { ui, publicApi } = createVisitorUi(api, layer, strings, lang, terms);
    controller.attachUi(ui);
    cobrowse.VisitorUI = publicApi;
  }
  const listeners = stub.listeners.splice(0);
  const messageListeners = stub.messageListeners.splice(0);
  const calls = stub.calls.splice(0);
  stub.engine = api;

  for (const [name, listener] of listeners) api.addEventListener(name, listener);
  for (const [name, listener] of messageListeners) api.addSessionMessageListener(name, listener);
  // A cross-domain helper page (`?GlanceSession=1`) only stores the session for its domain ([XD2]).
  if (isTopLevel(win) && !isHelperPage(win.location)) {
    const stored = readStoredSession(config, [config.groupId, ...config.additionalGroupIds], config.site);
    if (stored) controller.continueSession(stored);
  }
  for (const [method, args] of calls) {
    if (method === 'setStartParams') api.setStartParams(args[0]);
    else if (method === 'stopSession') api.stopSession();
    else if (method === 'startSession') api.startSession(args[0]);
    else if (method === 'showButton') api.showButton(args[0]);
    else if (method === 'toggleButton') api.toggleButton();
    else api.showTerms(args[0]);
  }
}
