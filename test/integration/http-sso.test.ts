/**
 * SSO with Glance login keys on the viewer URL (docs/sso.md), over real HTTP: the three
 * URL forms, both signature alphabets, expiry edges, refusals that are no oracle, the
 * redirect that drops the key, the audit entry, and the throttle.
 */
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { DEMO_API_KEY, glanceLoginKey, sessionCookieOf, unixIn } from './http-test-kit.js';

const VIEWER = '/agentjoin/AgentView.aspx';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ demoApiKey: DEMO_API_KEY, loginMaxFailuresPerMinute: 1000 });
});

afterAll(async () => {
  await server?.close();
});

function get(path: string, cookie?: string): Promise<Response> {
  return fetch(`${server.baseUrl}${path}`, {
    redirect: 'manual',
    ...(cookie ? { headers: { cookie } } : {}),
  });
}

/** The viewer URL a CRM builds, with `login` parameters first. */
function crmUrl(
  login: Record<string, string>,
  session = { SessionKey: '1234', Wait: '1' },
): string {
  return `${VIEWER}?${new URLSearchParams({ ...login, ...session }).toString()}`;
}

describe('SSO on the viewer URL', () => {
  it('signs the agent in with partnerid, partneruserid and loginkey, then drops the key from the URL', async () => {
    const key = glanceLoginKey('10000', 'demo', unixIn(3600), DEMO_API_KEY);
    const response = await get(
      crmUrl({ partnerid: '10000', partneruserid: 'demo', loginkey: key }),
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${VIEWER}?SessionKey=1234&Wait=1`);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const cookie = sessionCookieOf(response);
    expect(cookie).toBeDefined();
    const cookieHeader = response.headers.getSetCookie().find((c) => c.startsWith('oc_session='))!;
    expect(cookieHeader).toMatch(/HttpOnly/i);
    expect(cookieHeader).toMatch(/SameSite=Lax/i);

    const viewer = await get(response.headers.get('location')!, cookie);
    expect(viewer.status).toBe(200);
    expect(await viewer.text()).toContain('"username":"demo"');

    const [login] = await server.store.listAudit({ event: 'agent.login', limit: 1 });
    expect(login).toMatchObject({ groupId: '10000', detail: { method: 'sso' } });
  });

  it('serves the viewer at once in a CRM\'s cross-site frame, where a redirect would lose the cookie, with the key-free URL for its address bar', async () => {
    const key = glanceLoginKey('10000', 'demo', unixIn(3600), DEMO_API_KEY);
    const response = await fetch(`${server.baseUrl}${crmUrl({ partnerid: '10000', partneruserid: 'demo', loginkey: key })}`, {
      redirect: 'manual',
      headers: { 'sec-fetch-dest': 'iframe', 'sec-fetch-site': 'cross-site' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    // This server lists no CRM origin: the browser may not show the page in another site's frame.
    expect(response.headers.get('content-security-policy')).toMatch(/frame-ancestors 'self'(;|$)/);
    const html = await response.text();
    expect(html).toContain('"username":"demo"');
    expect(html).toContain(`"cleanUrl":"${VIEWER}?SessionKey=1234&Wait=1"`);
    expect(html).not.toContain(key);
  });

  it('accepts partneruserid=PUID~LOGINKEY and username=USER~LOGINKEY, in any parameter case', async () => {
    const key = glanceLoginKey('10000', 'demo', unixIn(600), DEMO_API_KEY);
    const forms: Record<string, string>[] = [
      { PartnerId: '10000', PartnerUserId: `demo~${key}` },
      { username: `demo~${key}` },
      { username: 'demo', LoginKey: key },
    ];
    for (const login of forms) {
      const response = await get(crmUrl(login));
      expect(response.status, JSON.stringify(login)).toBe(303);
      expect(response.headers.get('location')).toBe(`${VIEWER}?SessionKey=1234&Wait=1`);
      expect(sessionCookieOf(response)).toBeDefined();
    }
  });

  it('accepts the standard base64 alphabet, percent-encoded or with a bare + read as a space', async () => {
    // Find an expiry whose signature has a + or / in it (most have).
    let expires = unixIn(900);
    while (!/[+/]/.test(glanceLoginKey('10000', 'demo', expires, DEMO_API_KEY, 'standard')))
      expires++;
    const key = glanceLoginKey('10000', 'demo', expires, DEMO_API_KEY, 'standard');
    const encoded = await get(crmUrl({ partnerid: '10000', partneruserid: 'demo', loginkey: key }));
    expect(encoded.status).toBe(303);
    const bare = await get(
      `${VIEWER}?partnerid=10000&partneruserid=demo&loginkey=${key}&SessionKey=1234&Wait=1`,
    );
    expect(bare.status).toBe(303);
    expect(sessionCookieOf(bare)).toBeDefined();
  });

  it('refuses an expired key and one more than a day ahead, each with a clear page', async () => {
    const expired = glanceLoginKey('10000', 'demo', unixIn(-1), DEMO_API_KEY);
    const response = await get(
      crmUrl({ partnerid: '10000', partneruserid: 'demo', loginkey: expired }),
    );
    expect(response.status).toBe(403);
    expect(sessionCookieOf(response)).toBeUndefined();
    const html = await response.text();
    expect(html).toContain('Login key expired');
    expect(html).toContain('Open the session again from your CRM');

    const ahead = glanceLoginKey('10000', 'demo', unixIn(24 * 3600 + 120), DEMO_API_KEY);
    const tooFar = await get(
      crmUrl({ partnerid: '10000', partneruserid: 'demo', loginkey: ahead }),
    );
    expect(tooFar.status).toBe(403);
    expect(await tooFar.text()).toContain('more than one day ahead');

    const withinADay = glanceLoginKey('10000', 'demo', unixIn(24 * 3600 - 60), DEMO_API_KEY);
    expect(
      (await get(crmUrl({ partnerid: '10000', partneruserid: 'demo', loginkey: withinADay })))
        .status,
    ).toBe(303);
  });

  it('answers a wrong signature, an unknown user and another group exactly alike (no oracle)', async () => {
    await server.store.createGroup({
      id: '20000',
      name: 'Other',
      apiKey: 'other-group-api-key-012345',
    });
    const bodies: string[] = [];
    for (const [partnerId, puid, apiKey] of [
      ['10000', 'demo', 'not-the-api-key-0123456789'],
      ['10000', 'nobody', DEMO_API_KEY],
      ['20000', 'demo', 'other-group-api-key-012345'],
      ['99999', 'demo', DEMO_API_KEY],
    ] as const) {
      const key = glanceLoginKey(partnerId, puid, unixIn(600), apiKey);
      const response = await get(
        crmUrl({ partnerid: partnerId, partneruserid: puid, loginkey: key }),
      );
      expect(response.status, `${partnerId}/${puid}`).toBe(403);
      expect(sessionCookieOf(response)).toBeUndefined();
      bodies.push(await response.text());
    }
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toContain('The login key was not accepted');
  });

  it('refuses what is not a login key, and a key without its user, with 400', async () => {
    const notAKey = await get(
      crmUrl({ partnerid: '10000', partneruserid: 'demo', loginkey: 'hunter2' }),
    );
    expect(notAKey.status).toBe(400);
    expect(await notAKey.text()).toContain('is not a login key');
    const key = glanceLoginKey('10000', 'demo', unixIn(600), DEMO_API_KEY);
    const noUser = await get(crmUrl({ loginkey: key }));
    expect(noUser.status).toBe(400);
    expect(await noUser.text()).toContain('add partnerid');
  });

  it('refuses a disabled agent even with a valid key, and audits it', async () => {
    const agent = await server.store.createAgent({
      groupId: '10000',
      username: 'sso-disabled',
      displayName: '',
      email: '',
      title: '',
      partnerUserId: 'crm-disabled',
      passwordHash: null,
      role: 'agent',
      privileges: { view: true, remoteControl: false, navigate: false, screenShare: false },
      disabled: true,
    });
    const key = glanceLoginKey('10000', 'crm-disabled', unixIn(600), DEMO_API_KEY);
    const response = await get(
      crmUrl({ partnerid: '10000', partneruserid: 'crm-disabled', loginkey: key }),
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('disabled');
    const [failed] = await server.store.listAudit({
      agentId: agent.id,
      event: 'agent.login_failed',
    });
    expect(failed?.detail).toMatchObject({ method: 'sso', reason: 'disabled' });
  });

  it('replaces another agent signed in on the same browser', async () => {
    await server.store.createAgent({
      groupId: '10000',
      username: 'sso-second',
      displayName: 'Second',
      email: '',
      title: '',
      partnerUserId: 'crm-second',
      passwordHash: null,
      role: 'agent',
      privileges: { view: true, remoteControl: true, navigate: true, screenShare: true },
      disabled: false,
    });
    const first = await get(
      crmUrl({
        partnerid: '10000',
        partneruserid: 'demo',
        loginkey: glanceLoginKey('10000', 'demo', unixIn(600), DEMO_API_KEY),
      }),
    );
    const demoCookie = sessionCookieOf(first)!;
    const second = await get(
      crmUrl({
        partnerid: '10000',
        partneruserid: 'crm-second',
        loginkey: glanceLoginKey('10000', 'crm-second', unixIn(600), DEMO_API_KEY),
      }),
      demoCookie,
    );
    const secondCookie = sessionCookieOf(second)!;
    expect(secondCookie).not.toBe(demoCookie);
    const viewer = await get(`${VIEWER}?SessionKey=1234&Wait=1`, secondCookie);
    expect(await viewer.text()).toContain('"username":"sso-second"');
    // The demo agent's session on that browser was ended, not left behind.
    expect((await get('/console', demoCookie)).status).toBe(302);
  });

  it('sends an agent without a key who is not signed in to the login page and back', async () => {
    const response = await get(`${VIEWER}?SessionKey=1234&Wait=1`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(
      `/login?next=${encodeURIComponent(`${VIEWER}?SessionKey=1234&Wait=1`)}`,
    );
  });
});

describe('SSO throttle', () => {
  it('refuses every key for a user after too many failures, even a valid one, with 429', async () => {
    const strict = await startTestServer({
      demoApiKey: DEMO_API_KEY,
      loginMaxFailuresPerMinute: 3,
    });
    const wrong = glanceLoginKey('10000', 'demo', unixIn(600), 'wrong-api-key-0123456789');
    for (let i = 0; i < 3; i++) {
      const response = await fetch(
        `${strict.baseUrl}${crmUrl({ partnerid: '10000', partneruserid: 'demo', loginkey: wrong })}`,
        { redirect: 'manual' },
      );
      expect(response.status).toBe(403);
    }
    const valid = glanceLoginKey('10000', 'demo', unixIn(600), DEMO_API_KEY);
    const blocked = await fetch(
      `${strict.baseUrl}${crmUrl({ partnerid: '10000', partneruserid: 'demo', loginkey: valid })}`,
      { redirect: 'manual' },
    );
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await blocked.text()).toContain('Too many sign-in attempts');
  });
});
