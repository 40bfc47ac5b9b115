/**
 * Facts about the page the engine (and the loader) runs in.
 */

/** Longest page URL and title a hello may carry (the server's schema, protocol/control.ts). */
const MAX_URL = 8192;
const MAX_TITLE = 1024;

/** Whether this window is the top page (sessions never start or continue inside an iframe). */
export function isTopLevel(win: Window): boolean {
  try {
    return win.top === win;
  } catch {
    return false; // a cross-origin parent: certainly framed
  }
}

/** The page's address, title and visibility as a hello carries them ([AP4], [AP8]), cut to the server's limits. */
export function pageInfo(win: Window): { url: string; title: string; visible: boolean } {
  return {
    url: win.location.href.slice(0, MAX_URL),
    title: win.document.title.slice(0, MAX_TITLE),
    visible: isVisible(win),
  };
}

/** Whether the page is visible to the visitor (not a background tab or minimised window). */
export function isVisible(win: Window): boolean {
  return win.document.visibilityState !== 'hidden';
}

/** The visitor socket's URL for a server origin: `https://x` → `wss://x/ws/visitor`. */
export function visitorSocketUrl(server: string): string {
  return `${server.replace(/^http/, 'ws')}/ws/visitor`;
}
