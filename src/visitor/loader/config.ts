/**
 * Reading the loader's configuration from the page: the Glance-style script tag (or
 * `<meta id="glance-cobrowse">`) and `window.GLANCE_COBROWSE` (glance-reference §2.1–2.2).
 */
import type { SiteName, VisitorConfig } from './handoff.js';

/** Group ids are 4–6 digits (same rule as `GROUP_ID_PATTERN` in protocol/control.ts, not imported to keep valibot out). */
const GROUP_ID = /^[0-9]{4,6}$/;

/**
 * The element carrying the config: `#glance-cobrowse` (script or meta), the legacy
 * `#cobrowsescript`, else the script that is running (the loader's own tag).
 */
export function findConfigTag(doc: Document, current: Element | null): Element | null {
  return doc.getElementById('glance-cobrowse') ?? doc.getElementById('cobrowsescript') ?? current;
}

/** A config, or the message telling the site owner what is wrong with the tag. */
export type ConfigResult = { config: VisitorConfig; error: null } | { config: null; error: string };

/**
 * Builds the config: `GLANCE_COBROWSE`'s properties, overridden by every `data-*`
 * attribute of the tag (name without `data-`), then validated.
 *
 * @param tag the config element (see {@link findConfigTag})
 * @param page `window.GLANCE_COBROWSE`, if the page set it
 * @param currentSrc `src` of the running loader script, for the server origin when the
 *   tag is a `<meta>` without `data-scriptserver`
 * @param base the page's URL, to resolve relative `src` values
 */
export function readConfig(tag: Element | null, page: unknown, currentSrc: string, base: string): ConfigResult {
  const settings: Record<string, unknown> = {};
  if (page && typeof page === 'object') Object.assign(settings, page);
  if (tag) {
    for (const attr of Array.from(tag.attributes)) {
      if (attr.name.startsWith('data-')) settings[attr.name.slice(5)] = attr.value;
    }
  }
  const text = (name: string): string | undefined => {
    const value = settings[name];
    return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;
  };

  const groupId = text('groupid');
  if (!groupId) return fail('data-groupid missing: add data-groupid="<your group id>" to the cobrowse script tag');
  if (!GROUP_ID.test(groupId)) return fail(`data-groupid "${groupId}" is invalid: it must be 4 to 6 digits`);
  const site = text('site');
  if (site !== 'staging' && site !== 'production') {
    return fail(`data-site ${site ? `"${site}" is invalid` : 'missing'}: it must be "staging" or "production"`);
  }

  const source = text('scriptserver') ?? tag?.getAttribute('src') ?? currentSrc;
  let server = '';
  try {
    const url = new URL(source, base);
    if (source && /^https?:$/.test(url.protocol)) server = url.origin;
  } catch {
    // reported below
  }
  if (!server) return fail('cannot tell the cobrowse server address: load the tag from the server or set data-scriptserver');

  const additionalGroupIds = (text('additionalgroupids') ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => GROUP_ID.test(id) && id !== groupId);
  const ui = text('ui');

  return {
    config: {
      groupId,
      additionalGroupIds,
      site: site as SiteName,
      server,
      visitorId: text('visitorid'),
      name: text('name'),
      email: text('email'),
      phone: text('phone'),
      cookieDomain: text('cookiedomain'),
      cookieType: text('cookietype'),
      disableLogging: settings.disablelogging === true || settings.disableLogging === true,
      customUi: ui !== undefined && ui !== 'default',
      settings,
    },
    error: null,
  };
}

function fail(error: string): ConfigResult {
  return { config: null, error };
}
