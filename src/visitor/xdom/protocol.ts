/**
 * Cross-domain hand-over (glance-reference §4 "Cross-domain", SPEC [XD*]): what the page
 * that holds a session and the helper page of another trusted domain say to each other,
 * and which helper pages the group's settings name. Small and free of dependencies: the
 * loader, the engine and the helper script (`CobrowseJS.ashx?…&script=XDOM`) import it.
 *
 *   page (in session)                         helper page on the other domain (popup)
 *   open helper URL + GlanceSession=1   ──►   loads, posts {glance_xdom: "ready"} to its opener
 *   checks source = the popup and      ◄──
 *   origin = the helper's exact origin
 *   posts {glance_xdom: "session"} to   ──►   accepts it only from its opener, from an origin
 *   that exact origin                          its group trusts, for its own group and site;
 *                                              writes its first-party storage
 *   next helper, or close and navigate ◄──    posts {glance_xdom: "done", ok}
 */

/** The query parameter that marks a helper page opened for a hand-over (Glance's name). */
export const HELPER_MARK = 'GlanceSession';

/** How long one helper may take to load and answer, ms (Glance: about 3 s). */
export const HANDSHAKE_TIMEOUT_MS = 3_000;

/** Messages between a page and a helper page (`postMessage` data). */
export type XdomMessage =
  | { glance_xdom: 'ready' }
  | { glance_xdom: 'session'; session: unknown }
  | { glance_xdom: 'done'; ok: boolean };

/** Whether this page was opened as a helper page (`?GlanceSession=1`): it never continues the session itself. */
export function isHelperPage(loc: Pick<Location, 'search'>): boolean {
  return /[?&]GlanceSession=1(&|$)/.test(loc.search);
}


/**
 * The helper pages among a group's trusted domains: the entries that are absolute
 * http(s) URLs (`https://shop.example.com/cobrowse-helper.html`), without credentials.
 * Plain host entries (`shop.example.com`, `*.example.com`) name no helper.
 */
export function helperPages(trustedDomains: readonly string[]): URL[] {
  const helpers: URL[] = [];
  for (const entry of trustedDomains) {
    if (!/^https?:\/\//i.test(entry.trim())) continue;
    try {
      const url = new URL(entry.trim());
      if (url.username || url.password || url.hostname.startsWith('*')) continue;
      url.hash = '';
      if (!helpers.some((known) => known.href === url.href)) helpers.push(url);
    } catch {
      // not a URL: the server validates entries, so only an old entry gets here
    }
  }
  return helpers;
}

/** The address a helper is opened at: its URL with `GlanceSession=1`. */
export function helperAddress(helper: URL): string {
  const url = new URL(helper.href);
  url.searchParams.set(HELPER_MARK, '1');
  return url.href;
}
