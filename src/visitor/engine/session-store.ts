/**
 * Session info in first-party storage, so a page load inside a session continues it
 * (DESIGN §3.4, glance-reference §4): a session cookie `glance_ssn_info` by default
 * (path `/`, SameSite=Lax, domain from `data-cookiedomain`), or `localStorage` with an
 * expiry when `data-cookietype="ls"`. Cleared when the session ends.
 *
 * The loader imports `readStoredSession` too (to load the engine at once on a page inside
 * a session), so this file stays free of anything heavy.
 */

/** What a page needs to continue a session ([SS5]). */
export interface StoredSession {
  sessionId: string;
  key: string;
  /** Resume secret from the `welcome`. */
  token: string;
  randomKey: boolean;
  groupId: string;
  site: string;
  /**
   * The tab that holds the session (its id in `sessionStorage`, tab.ts), written by the
   * page that was last welcomed. Absent when written by a cross-domain helper. A page of
   * another tab that loads hidden does not take the session from its holder ([TB3]).
   */
  holder?: string;
}

/** Where and how session info is stored. */
export interface StorageOptions {
  /** `ls` = localStorage; anything else = session cookie (default). */
  cookieType?: string;
  /** Cookie domain (`data-cookiedomain`); default: the page's host only. */
  cookieDomain?: string;
}

/** Cookie and localStorage key, Glance's name so existing CSPs/cookie policies list it already. */
export const SESSION_STORAGE_NAME = 'glance_ssn_info';

/**
 * How long localStorage session info stays valid without being refreshed, ms. A session
 * cookie dies with the browser session; localStorage does not, so an entry left by a
 * closed tab must expire. The engine refreshes it every {@link STORED_SESSION_REFRESH_MS}.
 */
export const STORED_SESSION_TTL_MS = 10 * 60_000;
/** How often a running session refreshes its localStorage expiry, ms. */
export const STORED_SESSION_REFRESH_MS = 60_000;

/**
 * Reads the stored session of one of the page's groups (`data-groupid` and
 * `data-additionalgroupids`) and its site, or null. Never throws.
 */
export function readStoredSession(options: StorageOptions, groupIds: readonly string[], site: string, now = Date.now()): StoredSession | null {
  try {
    let text: string | null = null;
    if (options.cookieType === 'ls') {
      text = localStorage.getItem(SESSION_STORAGE_NAME);
    } else {
      for (const part of document.cookie.split(';')) {
        const at = part.indexOf('=');
        if (part.slice(0, at).trim() === SESSION_STORAGE_NAME) text = decodeURIComponent(part.slice(at + 1).trim());
      }
    }
    if (!text) return null;
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.exp === 'number' && value.exp < now) return null;
    const { sessionId, key, token, randomKey, groupId, holder } = value;
    if (
      typeof sessionId !== 'string' ||
      typeof key !== 'string' ||
      typeof token !== 'string' ||
      typeof groupId !== 'string' ||
      !groupIds.includes(groupId) ||
      value.site !== site
    ) {
      return null;
    }
    const stored: StoredSession = { sessionId, key, token, randomKey: randomKey === true, groupId, site };
    if (typeof holder === 'string' && holder) stored.holder = holder;
    return stored;
  } catch {
    return null; // storage disabled or garbage: no session to continue
  }
}

/** Stores session info (and refreshes the localStorage expiry). Never throws; false when storage is unavailable. */
export function writeStoredSession(options: StorageOptions, session: StoredSession, now = Date.now()): boolean {
  try {
    if (options.cookieType === 'ls') {
      localStorage.setItem(SESSION_STORAGE_NAME, JSON.stringify({ ...session, exp: now + STORED_SESSION_TTL_MS }));
    } else {
      document.cookie = `${SESSION_STORAGE_NAME}=${encodeURIComponent(JSON.stringify(session))}${cookieAttributes(options)}`;
    }
    return true;
  } catch {
    return false;
  }
}

/** Removes session info. Never throws. */
export function clearStoredSession(options: StorageOptions): void {
  try {
    if (options.cookieType === 'ls') localStorage.removeItem(SESSION_STORAGE_NAME);
    else document.cookie = `${SESSION_STORAGE_NAME}=${cookieAttributes(options)}; Max-Age=0`;
  } catch {
    // storage disabled: nothing was stored
  }
}

/** No Expires/Max-Age: a session cookie, gone when the browser session ends. */
function cookieAttributes(options: StorageOptions): string {
  const domain = options.cookieDomain ? `; Domain=${options.cookieDomain}` : '';
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  return `; Path=/; SameSite=Lax${domain}${secure}`;
}
