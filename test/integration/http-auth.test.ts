/**
 * Sign-in over real sockets ([AV2], [AV4]): CSRF, passwords, cookies, redirects, rate limit.
 */
import { describe, expect, it } from 'vitest';
import {
  TEST_DEMO_PASSWORD,
  signIn,
  startTestServer,
  type TestServer,
} from '../helpers/start-server.js';

interface LoginForm {
  csrf: string;
  cookie: string;
  html: string;
}

async function loginForm(server: TestServer, query = ''): Promise<LoginForm> {
  const response = await fetch(`${server.baseUrl}/login${query}`);
  expect(response.status).toBe(200);
  const html = await response.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const cookie =
    response.headers
      .getSetCookie()
      .find((c) => c.startsWith('oc_csrf='))
      ?.split(';')[0] ?? '';
  return { csrf, cookie, html };
}

function postLogin(
  server: TestServer,
  fields: Record<string, string>,
  cookie: string,
  headers: Record<string, string> = {},
) {
  return fetch(`${server.baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
    body: new URLSearchParams(fields),
  });
}

describe('[AV4] agent sign-in', () => {
  it('shows a form with a CSRF token, username and password fields', async () => {
    const server = await startTestServer();
    const form = await loginForm(server);
    expect(form.csrf).not.toBe('');
    expect(form.cookie).toMatch(/^oc_csrf=/);
    expect(form.html).toMatch(/<label for="oc-username">Username<\/label>/);
    expect(form.html).toMatch(
      /<input id="oc-password" name="password" type="password" autocomplete="current-password"/,
    );
  });

  it('signs in with the right password: HttpOnly SameSite=Lax session cookie, 303 to next', async () => {
    const server = await startTestServer();
    const form = await loginForm(server);
    const response = await postLogin(
      server,
      { username: 'demo', password: TEST_DEMO_PASSWORD, csrf: form.csrf, next: '/console?x=1' },
      form.cookie,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/console?x=1');
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith('oc_session='));
    expect(cookie).toMatch(/^oc_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Expires=/);
    expect(cookie).not.toMatch(/Secure/i); // plain http here

    const value = cookie!.split(';')[0]!.slice('oc_session='.length);
    const console = await fetch(`${server.baseUrl}/console`, {
      headers: { cookie: `oc_session=${value}` },
      redirect: 'manual',
    });
    expect(console.status).toBe(200);
    expect(await console.text()).toContain('Demo Agent');

    const audit = await server.store.listAudit({ groupId: '10000' });
    expect(audit.map((e) => e.event)).toContain('agent.login');
  });

  it('marks the session cookie Secure when the request came over https (trusted proxy)', async () => {
    const server = await startTestServer({ trustProxy: true });
    const form = await loginForm(server);
    const response = await postLogin(
      server,
      { username: 'demo', password: TEST_DEMO_PASSWORD, csrf: form.csrf },
      form.cookie,
      { 'x-forwarded-proto': 'https' },
    );
    expect(response.status).toBe(303);
    expect(response.headers.getSetCookie().find((c) => c.startsWith('oc_session='))).toMatch(
      /; Secure/i,
    );
  });

  it('stores only a hash of the session id', async () => {
    const server = await startTestServer();
    const cookie = await signIn(server);
    const id = cookie.slice('oc_session='.length);
    const { hashSessionId } = await import('../../src/server/auth/web-sessions.js');
    expect(await server.store.getWebSession(id)).toBeUndefined();
    expect(await server.store.getWebSession(hashSessionId(id))).toBeDefined();
  });

  it('answers a wrong password with the form again, 401 and a clear message', async () => {
    const server = await startTestServer();
    const form = await loginForm(server);
    const response = await postLogin(
      server,
      { username: 'demo', password: 'wrong', csrf: form.csrf },
      form.cookie,
    );
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie().some((c) => c.startsWith('oc_session='))).toBe(false);
    const html = await response.text();
    expect(html).toContain('Wrong username or password.');
    expect(html).toContain('value="demo"');
    expect((await server.store.listAudit({ groupId: '10000' })).map((e) => e.event)).toContain(
      'agent.login_failed',
    );
  });

  it('answers an unknown username exactly like a wrong password', async () => {
    const server = await startTestServer();
    const form = await loginForm(server);
    const response = await postLogin(
      server,
      { username: 'nobody', password: 'x', csrf: form.csrf },
      form.cookie,
    );
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('Wrong username or password.');
  });

  it('refuses a disabled agent even with the right password', async () => {
    const server = await startTestServer();
    const demo = await server.store.findAgentByUsername('demo');
    await server.store.updateAgent(demo!.id, { disabled: true });
    const form = await loginForm(server);
    const response = await postLogin(
      server,
      { username: 'demo', password: TEST_DEMO_PASSWORD, csrf: form.csrf },
      form.cookie,
    );
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('This account is disabled.');
  });

  it('refuses a login without or with a wrong CSRF token (403)', async () => {
    const server = await startTestServer();
    const form = await loginForm(server);
    const missing = await postLogin(
      server,
      { username: 'demo', password: TEST_DEMO_PASSWORD },
      form.cookie,
    );
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain('This form has expired or was not sent from this site');
    const wrong = await postLogin(
      server,
      { username: 'demo', password: TEST_DEMO_PASSWORD, csrf: `${form.csrf}x` },
      form.cookie,
    );
    expect(wrong.status).toBe(403);
    // A token with another browser's cookie is no good either.
    const other = await loginForm(server);
    const crossed = await postLogin(
      server,
      { username: 'demo', password: TEST_DEMO_PASSWORD, csrf: form.csrf },
      other.cookie,
    );
    expect(crossed.status).toBe(403);
    const noCookie = await postLogin(
      server,
      { username: 'demo', password: TEST_DEMO_PASSWORD, csrf: form.csrf },
      '',
    );
    expect(noCookie.status).toBe(403);
  });

  it.each([
    ['https://evil.example/', '/console'],
    ['//evil.example/x', '/console'],
    ['/\\evil.example', '/console'],
    ['javascript:alert(1)', '/console'],
    ['/\t/evil.example', '/console'],
    [
      '/agentjoin/AgentView.aspx?SessionKey=1234&Wait=1',
      '/agentjoin/AgentView.aspx?SessionKey=1234&Wait=1',
    ],
  ])('refuses open redirects: next=%s goes to %s', async (next, location) => {
    const server = await startTestServer();
    const form = await loginForm(server);
    const response = await postLogin(
      server,
      { username: 'demo', password: TEST_DEMO_PASSWORD, csrf: form.csrf, next },
      form.cookie,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(location);
  });

  it('rate-limits failed logins per IP with a clear 429 page, refusing even the right password', async () => {
    const server = await startTestServer();
    const form = await loginForm(server);
    for (let i = 0; i < 10; i++) {
      const response = await postLogin(
        server,
        { username: `guess${i}`, password: 'nope', csrf: form.csrf },
        form.cookie,
      );
      expect(response.status).toBe(401);
    }
    const limited = await postLogin(
      server,
      { username: 'demo', password: TEST_DEMO_PASSWORD, csrf: form.csrf },
      form.cookie,
    );
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many sign-in attempts');
  });

  it('signs out with POST /logout (CSRF-checked), after which the cookie is worthless', async () => {
    const server = await startTestServer();
    const cookie = await signIn(server);
    const console = await (
      await fetch(`${server.baseUrl}/console`, { headers: { cookie } })
    ).text();
    const csrf = /action="\/logout"><input type="hidden" name="csrf" value="([^"]+)"/.exec(
      console,
    )?.[1];
    expect(csrf).toBeDefined();

    const forged = await fetch(`${server.baseUrl}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf: 'forged' }),
    });
    expect(forged.status).toBe(403);
    expect(
      (await fetch(`${server.baseUrl}/console`, { headers: { cookie }, redirect: 'manual' }))
        .status,
    ).toBe(200);

    const logout = await fetch(`${server.baseUrl}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ csrf: csrf! }),
    });
    expect(logout.status).toBe(303);
    expect(logout.headers.get('location')).toBe('/login');
    expect(
      (await fetch(`${server.baseUrl}/console`, { headers: { cookie }, redirect: 'manual' }))
        .status,
    ).toBe(302);
  });
});
