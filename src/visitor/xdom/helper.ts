/**
 * The cross-domain helper script (`/cobrowse/CobrowseJS.ashx?group=G&site=S&script=XDOM`,
 * bundle `/static/xdom.js`), for the small helper page each trusted domain serves
 * ([XD2]). It does something only on a page opened for a hand-over (`?GlanceSession=1`)
 * by another window (its opener; or its parent, in the iframe fallback):
 *
 * 1. posts `{glance_xdom: "ready"}` to its opener (nothing secret in it);
 * 2. accepts `{glance_xdom: "session"}` only from that window, only from an origin whose
 *    host the group's settings trust (the server puts them in the script, below), only for
 *    a session of the tag's groups and site;
 * 3. writes the session info into this domain's first-party storage (the tag's
 *    `data-cookietype` / `data-cookiedomain`, as every page of the domain reads it), and
 *    answers `{glance_xdom: "done", ok}` to that exact origin.
 *
 * The opener then opens the next helper or closes the window. The server wraps this bundle
 * in a function whose parameter `__OC_XDOM__` is `{group, site, trusted}` (script-routes.ts).
 */
import { findConfigTag, readConfig } from '../loader/config.js';
import type { GlanceGlobals } from '../loader/handoff.js';
import { writeStoredSession, type StoredSession } from '../engine/session-store.js';
import { hostMatches } from '../../shared/trusted-domains.js';
import { isHelperPage, type XdomMessage } from './protocol.js';

/** What the server tells the helper: the group and site the script was asked for, and their trusted domains. */
interface XdomSettings {
  group: string;
  site: string;
  trusted: string[];
}

declare const __OC_XDOM__: XdomSettings | undefined;

/** A helper window nobody talks to closes itself after this long, ms. */
const IDLE_CLOSE_MS = 10_000;

const current = document.currentScript as HTMLScriptElement | null;
try {
  run(window as Window & GlanceGlobals);
} catch (error) {
  console.error('[cobrowse] the cross-domain helper failed', error);
}

function run(win: Window & GlanceGlobals): void {
  if (!isHelperPage(win.location)) return;
  const peer: Window | null = win.opener ? (win.opener as Window) : win.parent !== win ? win.parent : null;
  if (!peer) return;
  const xdom = typeof __OC_XDOM__ === 'object' && __OC_XDOM__ ? __OC_XDOM__ : null;
  const { config, error } = readConfig(findConfigTag(win.document, current), win.GLANCE_COBROWSE, current?.src ?? '', win.location.href);
  const log = (message: string) => {
    if (!config?.disableLogging) console.warn(`[cobrowse] cross-domain helper: ${message}`);
  };
  if (!config || !xdom) {
    log(error ?? 'load this script from the cobrowse server (CobrowseJS.ashx?…&script=XDOM)');
    return;
  }
  if (xdom.group !== config.groupId || xdom.site !== config.site) {
    log(`the script's group/site (${xdom.group}/${xdom.site}) differ from the tag's data-groupid/data-site`);
    return;
  }
  const groups = [config.groupId, ...config.additionalGroupIds];
  let handled = false;

  win.addEventListener('message', (event: MessageEvent) => {
    if (event.source !== peer || handled) return;
    const data = event.data as Partial<XdomMessage> | null;
    if (!data || typeof data !== 'object' || data.glance_xdom !== 'session') return;
    handled = true;
    let ok = false;
    let host = '';
    try {
      host = new URL(event.origin).hostname;
    } catch {
      host = '';
    }
    if (!host || !xdom.trusted.some((entry) => hostMatches(host, entry))) {
      log(`${event.origin} is not a trusted domain of group ${config.groupId}: nothing stored`);
    } else {
      const session = readSession((data as { session?: unknown }).session);
      if (!session || !groups.includes(session.groupId) || session.site !== config.site) {
        log('the session is not one of this page\'s groups and site: nothing stored');
      } else {
        ok = writeStoredSession(config, session);
      }
    }
    const reply: XdomMessage = { glance_xdom: 'done', ok };
    peer.postMessage(reply, event.origin);
  });

  const ready: XdomMessage = { glance_xdom: 'ready' };
  peer.postMessage(ready, '*');
  if (win.opener) {
    setTimeout(() => {
      if (!handled) win.close();
    }, IDLE_CLOSE_MS);
  }
}

/** The session info of a `session` message, or null when it is not one. */
function readSession(value: unknown): StoredSession | null {
  if (!value || typeof value !== 'object') return null;
  const { sessionId, key, token, randomKey, groupId, site } = value as Record<string, unknown>;
  const text = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
  if (!text(sessionId, 200) || !text(key, 50) || !text(token, 500) || !text(groupId, 6) || !text(site, 20)) return null;
  if (!/^[A-Za-z0-9_-]{1,50}$/.test(key) || !/^[0-9]{4,6}$/.test(groupId)) return null;
  return { sessionId, key, token, randomKey: randomKey === true, groupId, site };
}
