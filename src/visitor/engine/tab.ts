/**
 * Which browser tab this page is in, across its page loads: a random id kept in
 * `sessionStorage` (per tab and origin). The page holding a session writes it into the
 * stored session info (`holder`), so a page of another tab can tell the session is held
 * elsewhere ([TB3]). Windows a page opens get a copy of its `sessionStorage`, hence its id:
 * pop-ups of the site continue the session as the tab itself would.
 */

const TAB_KEY = 'glance_tab';

/** This tab's id; empty when `sessionStorage` is unavailable (then every page counts as its own tab). */
export function tabId(win: Window): string {
  try {
    let id = win.sessionStorage.getItem(TAB_KEY);
    if (!id) {
      const bytes = new Uint8Array(8);
      win.crypto.getRandomValues(bytes);
      id = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
      win.sessionStorage.setItem(TAB_KEY, id);
    }
    return id;
  } catch {
    return '';
  }
}
