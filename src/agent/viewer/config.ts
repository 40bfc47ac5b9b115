/**
 * The viewer's boot configuration: the JSON the server renders into
 * `<script type="application/json" id="oc-viewer-config">` ([AV1] in SPEC.md). A data
 * block, not a script, so the page runs under `script-src 'self'` with no inline code.
 */

/** What the server tells the viewer page. */
export interface ViewerConfig {
  /** The session key (`SessionKey` / `VisitorId` of the URL). */
  key: string;
  /** `Wait=1`: wait for a session that has not started. */
  wait: boolean;
  /** Signed viewer ticket for the agent `hello`. */
  ticket: string;
  /** Path of the agent WebSocket endpoint on this host, e.g. `/ws/agent`. */
  wsPath: string;
  /** The signed-in agent, for the toolbar. */
  agent: { username: string; name: string } | null;
  /**
   * Origins of CRM pages that may embed the viewer and drive it through the Agent API
   * bridge (the server's `crmOrigins` setting), e.g. `https://crm.example.com`. The viewer's
   * own origin is always allowed; empty (the default) allows it alone.
   */
  crmOrigins: string[];
}

/** The id of the element holding the configuration. */
export const CONFIG_ELEMENT_ID = 'oc-viewer-config';

/** A configuration that is missing or malformed; the page cannot start. */
export class ViewerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ViewerConfigError';
  }
}

/** Reads and checks the configuration block of `doc`. Throws `ViewerConfigError`. */
export function readViewerConfig(doc: Document): ViewerConfig {
  const element = doc.getElementById(CONFIG_ELEMENT_ID);
  if (!element) throw new ViewerConfigError(`the page has no #${CONFIG_ELEMENT_ID} block`);
  let raw: unknown;
  try {
    raw = JSON.parse(element.textContent ?? '');
  } catch {
    throw new ViewerConfigError(`#${CONFIG_ELEMENT_ID} is not valid JSON`);
  }
  if (typeof raw !== 'object' || raw === null) throw new ViewerConfigError(`#${CONFIG_ELEMENT_ID} is not an object`);
  const data = raw as Record<string, unknown>;
  const key = data['key'];
  const ticket = data['ticket'];
  const wsPath = data['wsPath'];
  if (typeof key !== 'string' || key === '') throw new ViewerConfigError('the session key is missing');
  if (typeof ticket !== 'string' || ticket === '') throw new ViewerConfigError('the viewer ticket is missing');
  if (typeof wsPath !== 'string' || !wsPath.startsWith('/') || wsPath.startsWith('//')) {
    throw new ViewerConfigError('the WebSocket path must be a path on this server');
  }
  const agentData = data['agent'];
  let agent: ViewerConfig['agent'] = null;
  if (typeof agentData === 'object' && agentData !== null) {
    const { username, name } = agentData as Record<string, unknown>;
    if (typeof username === 'string') agent = { username, name: typeof name === 'string' ? name : username };
  }
  return { key, wait: data['wait'] === true, ticket, wsPath, agent, crmOrigins: parseCrmOrigins(data['crmOrigins']) };
}

/**
 * The CRM origins of the configuration. Each must be an origin exactly (`scheme://host[:port]`,
 * no path): the bridge compares it with `MessageEvent.origin` character for character.
 * Throws `ViewerConfigError` for anything else.
 */
export function parseCrmOrigins(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new ViewerConfigError('crmOrigins must be a list of origins');
  return raw.map((value) => {
    // A wildcard would parse as a host name, and then never match any page.
    if (typeof value === 'string' && value.includes('*')) {
      throw new ViewerConfigError(`crmOrigins: ${JSON.stringify(value)}: wildcards are not supported, list each origin`);
    }
    let origin: string | null = null;
    try {
      if (typeof value === 'string') origin = new URL(value).origin;
    } catch {
      origin = null;
    }
    if (origin === null || origin === 'null' || origin !== value) {
      throw new ViewerConfigError(`crmOrigins: ${JSON.stringify(value)} is not an origin like https://crm.example.com`);
    }
    return origin;
  });
}

/** The agent endpoint's URL on the page's own host (same origin: [HS4]). */
export function agentSocketUrl(location: Location, wsPath: string): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${wsPath}`;
}
