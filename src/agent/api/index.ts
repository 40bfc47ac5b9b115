/**
 * Entry of agent-api.js, the Agent API script (`CobrowseJS.ashx?group=G&site=S&script=Agent`):
 * installs `GLANCE.Cobrowse.Agent` on the CRM page (see agent-api.ts and docs/agent-api.md).
 * Other `GLANCE` members the page has (the Visitor API of the same site) are left alone.
 */
import { createAgentApi, type GlanceAgentApi } from './agent-api.js';
import { webOrigin } from './bridge-protocol.js';

export { createAgentApi } from './agent-api.js';
export type { GlanceAgentApi, AgentApiOptions } from './agent-api.js';

interface GlanceGlobal {
  Cobrowse?: { Agent?: GlanceAgentApi; [member: string]: unknown };
  [member: string]: unknown;
}

function install(win: Window & { GLANCE?: GlanceGlobal }): void {
  const glance = (win.GLANCE ??= {});
  const cobrowse = (glance.Cobrowse ??= {});
  if (cobrowse.Agent?.loaded) {
    // The tag is on the page twice: keep the first, which already holds the listeners.
    console.warn('GLANCE.Cobrowse.Agent is already loaded; the second script tag is ignored');
    return;
  }
  // currentScript is only set while this script runs for the first time: read it now.
  const script = document.currentScript as HTMLScriptElement | null;
  const scriptOrigin = script?.src ? webOrigin(script.src) : null;
  cobrowse.Agent = createAgentApi({ win, scriptOrigin });
}

install(window);
