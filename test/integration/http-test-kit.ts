/**
 * Helpers of the account, SSO, admin and REST tests (not a test file itself): login keys
 * computed independently of the server's code, a signed-in session with its CSRF token,
 * and fetch shorthands.
 */
import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import { signIn, type TestServer } from '../helpers/start-server.js';

/** The demo group's API key in these tests (`COBROWSE_DEMO_API_KEY`). */
export const DEMO_API_KEY = 'demo-api-key-for-tests-0123456789';

/**
 * A Glance login key, the way Glance's samples make one: HMAC-SHA256 keyed with the API
 * key over `partnerid + partneruserid + "1" + expires`, standard base64 cut to 43
 * characters, then (unless `alphabet` is 'standard') `+/` mapped to `-_`.
 */
export function glanceLoginKey(
  partnerId: string,
  partnerUserId: string,
  expires: number,
  apiKey: string,
  alphabet: 'url' | 'standard' = 'url',
): string {
  const standard = createHmac('sha256', apiKey)
    .update(`${partnerId}${partnerUserId}1${expires}`)
    .digest('base64')
    .slice(0, 43);
  const signature =
    alphabet === 'url' ? standard.replace(/\+/g, '-').replace(/\//g, '_') : standard;
  return `$1$${expires}$${signature}`;
}

/** Unix seconds `offset` seconds from now. */
export function unixIn(offset: number): number {
  return Math.floor(Date.now() / 1000) + offset;
}

/** A signed-in session: its cookie and its CSRF token (read from the console's sign-out form). */
export interface Session {
  cookie: string;
  csrf: string;
}

/** Signs in through the login form and reads the session's CSRF token. */
export async function session(
  server: Pick<TestServer, 'baseUrl'>,
  username?: string,
  password?: string,
): Promise<Session> {
  const cookie = await signIn(server, username, password);
  const html = await (await fetch(`${server.baseUrl}/console`, { headers: { cookie } })).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error('no CSRF token on the console page');
  return { cookie, csrf };
}

/** POSTs a form as a signed-in browser would (with the session's CSRF token unless `csrf: false`). */
export function postForm(
  server: Pick<TestServer, 'baseUrl'>,
  path: string,
  as: Session,
  fields: Record<string, string> | [string, string][],
  options: { csrf?: boolean } = {},
): Promise<Response> {
  const body = new URLSearchParams(fields);
  if (options.csrf !== false) body.set('csrf', as.csrf);
  return fetch(`${server.baseUrl}${path}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: as.cookie },
    body,
  });
}

/** The `oc_session=…` cookie a response sets, if any. */
export function sessionCookieOf(response: Response): string | undefined {
  return response.headers
    .getSetCookie()
    .find((c) => c.startsWith('oc_session='))
    ?.split(';')[0];
}

/** Expects the security headers every page carries. */
export function expectSecurityHeaders(response: Response): void {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
  expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  expect(response.headers.get('referrer-policy')).toMatch(/same-origin|no-referrer/);
}
