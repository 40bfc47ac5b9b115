/**
 * Where an agent may send the visitor ([NV1]–[NV3]): the visitor page's own host or a
 * trusted domain of the group, over http(s), with no credentials in the URL; or one of the
 * history keywords. Checked here on the server and again by the visitor's engine.
 */
import { hostMatches } from '../../shared/trusted-domains.js';

/** History keywords of the Agent API's `navigate` (and their Glance one-letter forms). */
const KEYWORDS: Readonly<Record<string, 'forward' | 'back' | 'refresh'>> = {
  forward: 'forward',
  back: 'back',
  refresh: 'refresh',
  f: 'forward',
  b: 'back',
  r: 'refresh',
};

/** A navigation target the server allows, or why not. */
export type NavigationCheck =
  | { ok: true; target: { kind: 'url'; url: string } | { kind: 'history'; keyword: 'forward' | 'back' | 'refresh' } }
  | { ok: false; reason: string };


/** Checks an agent's navigation request against the visitor's page and the group's trusted domains. */
export function checkNavigation(requested: string, pageUrl: string, trustedDomains: readonly string[]): NavigationCheck {
  const keyword = KEYWORDS[requested.trim().toLowerCase()];
  if (keyword) return { ok: true, target: { kind: 'history', keyword } };
  let page: URL;
  try {
    page = new URL(pageUrl);
  } catch {
    return { ok: false, reason: 'the visitor page has no usable address' };
  }
  let target: URL;
  try {
    target = new URL(requested, page);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    return { ok: false, reason: `scheme ${target.protocol} is not allowed` };
  }
  if (target.username || target.password) {
    return { ok: false, reason: 'credentials in the URL are not allowed' };
  }
  if (target.hostname !== page.hostname && !trustedDomains.some((domain) => hostMatches(target.hostname, domain))) {
    return { ok: false, reason: `${target.hostname} is not the visitor's site or a trusted domain` };
  }
  return { ok: true, target: { kind: 'url', url: target.href } };
}
