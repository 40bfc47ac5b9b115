/**
 * The admin UI over real HTTP (docs/admin.md): who may see it, CSRF on every form, groups
 * with their key shown once, settings saved or refused field by field, agents added,
 * changed and deleted, the audit log filtered, and the headers every page carries.
 */
import { describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { expectSecurityHeaders, postForm, session, type Session } from './http-test-kit.js';

async function page(server: TestServer, path: string, as?: Session): Promise<Response> {
  return fetch(`${server.baseUrl}${path}`, {
    redirect: 'manual',
    ...(as ? { headers: { cookie: as.cookie } } : {}),
  });
}

async function withAgent(server: TestServer, role: 'agent' | 'viewer' = 'agent'): Promise<Session> {
  await server.accounts.createAgent({ kind: 'cli' }, '10000', {
    username: `plain-${role}`,
    displayName: '',
    email: '',
    title: '',
    partnerUserId: '',
    password: 'plain-password-123',
    role,
    disabled: false,
  });
  return session(server, `plain-${role}`, 'plain-password-123');
}

describe('admin UI access', () => {
  it('sends a visitor who is not signed in to the login page and back', async () => {
    const server = await startTestServer();
    const response = await page(server, '/admin/agents?group=10000');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      `/login?next=${encodeURIComponent('/admin/agents?group=10000')}`,
    );
  });

  it('refuses agents who are not administrators with a 403 page, and hides the link from them', async () => {
    const server = await startTestServer();
    const agent = await withAgent(server);
    for (const path of [
      '/admin',
      '/admin/groups',
      '/admin/agents',
      '/admin/audit',
      '/admin/groups/10000',
    ]) {
      const response = await page(server, path, agent);
      expect(response.status, path).toBe(403);
      expect(await response.text()).toContain('Administrators only');
    }
    const post = await postForm(server, '/admin/groups', agent, { id: '20000', name: 'Sneaky' });
    expect(post.status).toBe(403);
    expect(await server.store.getGroup('20000')).toBeUndefined();
    expect(await (await page(server, '/console', agent)).text()).not.toContain('href="/admin"');
    const admin = await session(server);
    expect(await (await page(server, '/console', admin)).text()).toContain('href="/admin"');
  });

  it('refuses every form without the session’s CSRF token', async () => {
    const server = await startTestServer();
    const admin = await session(server);
    const demo = await server.store.findAgentByUsername('demo');
    for (const [path, fields] of [
      ['/admin/groups', { id: '20000', name: 'x' }],
      ['/admin/groups/10000', { name: 'Renamed' }],
      ['/admin/groups/10000/api-key', {}],
      [
        '/admin/groups/10000/settings/staging',
        { randomKeyLength: '6', sessionCodeExpiryMinutes: '30' },
      ],
      ['/admin/agents', { groupId: '10000', username: 'x', role: 'agent' }],
      [`/admin/agents/${demo!.id}`, { username: 'demo', role: 'agent' }],
      [`/admin/agents/${demo!.id}/delete`, {}],
    ] as const) {
      const response = await postForm(server, path, admin, fields, { csrf: false });
      expect(response.status, path).toBe(403);
      expect(await response.text()).toContain('Form expired');
    }
    expect((await server.store.getGroup('10000'))?.name).toBe('Demo');
    expect((await server.store.getSettings('10000', 'staging')).randomKeyLength).toBe(4);
  });

  it('tells browsers to stay on https when the server is reached over https', async () => {
    const server = await startTestServer({ trustProxy: true });
    const secure = await fetch(`${server.baseUrl}/login`, {
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(secure.headers.get('strict-transport-security')).toBe('max-age=15552000');
    expect(
      (await fetch(`${server.baseUrl}/login`)).headers.get('strict-transport-security'),
    ).toBeNull();
  });

  it('serves every admin page with the security headers and no-store, and without inline script', async () => {
    const server = await startTestServer();
    const admin = await session(server);
    const demo = await server.store.findAgentByUsername('demo');
    for (const path of [
      '/admin/groups',
      '/admin/groups/10000',
      '/admin/agents',
      '/admin/agents/new',
      `/admin/agents/${demo!.id}`,
      `/admin/agents/${demo!.id}/delete`,
      '/admin/audit',
    ]) {
      const response = await page(server, path, admin);
      expect(response.status, path).toBe(200);
      expectSecurityHeaders(response);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const html = await response.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(html).toMatch(/<h1>[^<]+<\/h1>/);
    }
  });
});

describe('admin UI groups and settings', () => {
  it('creates a group and shows its API key once, which then signs REST calls', async () => {
    const server = await startTestServer();
    const admin = await session(server);
    const response = await postForm(server, '/admin/groups', admin, {
      id: '24680',
      name: 'Example Bank',
    });
    expect(response.status).toBe(201);
    const html = await response.text();
    const apiKey = /id="api-key"[^>]*value="([^"]+)"/.exec(html)?.[1];
    expect(apiKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(html).toContain('shown only this once');
    const group = await fetch(`${server.baseUrl}/api/v1/groups/24680`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(await group.json()).toMatchObject({ id: '24680', name: 'Example Bank' });
    // The group page never shows it again.
    expect(await (await page(server, '/admin/groups/24680', admin)).text()).not.toContain(apiKey!);
  });

  it('shows a refused new group with each mistake at its field', async () => {
    const server = await startTestServer();
    const admin = await session(server);
    const response = await postForm(server, '/admin/groups', admin, { id: '12x', name: '' });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('role="alert"');
    expect(html).toContain('<a href="#f-group-id">Group id: must be 4 to 6 digits</a>');
    expect(html).toMatch(
      /id="f-group-id"[^>]*aria-describedby="f-group-id-help f-group-id-error" aria-invalid="true"/,
    );
    expect(html).toContain('value="12x"');
    const taken = await postForm(server, '/admin/groups', admin, { id: '10000', name: 'Again' });
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain('group 10000 already exists');
  });

  it('saves a site’s settings from the form and says so', async () => {
    const server = await startTestServer();
    const admin = await session(server);
    const response = await postForm(server, '/admin/groups/10000/settings/production', admin, {
      maskedSelectors: '#card-number\r\n\r\n .balance \r\n',
      trustedDomains: 'shop.example.com\n*.example.com',
      randomKeyLength: '6',
      sessionCodeExpiryMinutes: '15',
      allowRemoteControl: 'on',
      termsText: 'We can see this page.',
      termsUrl: 'https://example.com/terms',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(
      '/admin/groups/10000?notice=settings-production#settings-production',
    );
    expect(await server.store.getSettings('10000', 'production')).toEqual({
      maskedSelectors: ['#card-number', '.balance'],
      trustedDomains: ['shop.example.com', '*.example.com'],
      randomKeyLength: 6,
      sessionCodeExpiryMinutes: 15,
      allowDuplicateKeys: false,
      allowRemoteControl: true,
      termsText: 'We can see this page.',
      termsUrl: 'https://example.com/terms',
    });
    const after = await (
      await page(server, '/admin/groups/10000?notice=settings-production', admin)
    ).text();
    expect(after).toContain('role="status">Production settings saved.');
    expect(after).toContain('#card-number\n.balance</textarea>');
  });

  it('keeps what was typed and names the fields when settings are refused', async () => {
    const server = await startTestServer();
    const admin = await session(server);
    const response = await postForm(server, '/admin/groups/10000/settings/staging', admin, {
      maskedSelectors: '#ok\n{bad}',
      trustedDomains: 'https://nope/',
      randomKeyLength: 'six',
      sessionCodeExpiryMinutes: '30',
    });
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('Nothing was saved');
    expect(html).toContain(
      'Masked elements: maskedSelectors[1]: must be one CSS selector without braces or line breaks',
    );
    expect(html).toContain('Digits of a session code: must be a number');
    expect(html).toContain('#ok\n{bad}</textarea>');
    expect((await server.store.getSettings('10000', 'staging')).maskedSelectors).toEqual([]);
  });

  it('replaces the API key on request and shows the new one once', async () => {
    const server = await startTestServer({ demoApiKey: 'the-old-demo-api-key-0123' });
    const admin = await session(server);
    const response = await postForm(server, '/admin/groups/10000/api-key', admin, {});
    expect(response.status).toBe(200);
    const apiKey = /id="api-key"[^>]*value="([^"]+)"/.exec(await response.text())?.[1];
    expect((await server.store.getGroup('10000'))?.apiKey).toBe(apiKey);
  });
});

describe('admin UI agents and audit', () => {
  it('adds an agent, changes it, and deletes it after a confirmation', async () => {
    const server = await startTestServer();
    const admin = await session(server);
    const added = await postForm(server, '/admin/agents', admin, [
      ['groupId', '10000'],
      ['username', 'grace'],
      ['displayName', 'Grace Hopper'],
      ['email', 'grace@example.com'],
      ['partnerUserId', 'crm-grace'],
      ['password', 'grace-password-123'],
      ['role', 'agent'],
      ['privilege-view', 'on'],
      ['privilege-navigate', 'on'],
    ]);
    expect(added.status).toBe(303);
    const location = added.headers.get('location')!;
    expect(location).toMatch(/^\/admin\/agents\/\d+\?notice=created$/);
    const grace = await server.store.findAgentByUsername('grace');
    expect(grace).toMatchObject({
      displayName: 'Grace Hopper',
      privileges: { view: true, remoteControl: false, navigate: true, screenShare: false },
    });
    await session(server, 'grace', 'grace-password-123');

    const form = await (await page(server, location, admin)).text();
    expect(form).toContain('The agent was added.');
    expect(form).toMatch(
      /<input id="f-agent-privilege-navigate" name="privilege-navigate" type="checkbox" value="on" checked>/,
    );

    const changed = await postForm(server, `/admin/agents/${grace!.id}`, admin, {
      username: 'grace',
      displayName: 'Rear Admiral Hopper',
      role: 'viewer',
      'privilege-view': 'on',
      disabled: 'on',
    });
    expect(changed.status).toBe(303);
    expect(await server.store.getAgent(grace!.id)).toMatchObject({
      displayName: 'Rear Admiral Hopper',
      role: 'viewer',
      disabled: true,
      email: '',
    });

    const confirm = await (await page(server, `/admin/agents/${grace!.id}/delete`, admin)).text();
    expect(confirm).toContain('Delete grace');
    const deleted = await postForm(server, `/admin/agents/${grace!.id}/delete`, admin, {});
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/admin/agents?group=10000&notice=deleted');
    expect(await server.store.getAgent(grace!.id)).toBeUndefined();
  });

  it('refuses an agent form with mistakes, keeping the values, and protects the last administrator', async () => {
    const server = await startTestServer();
    const admin = await session(server);
    const bad = await postForm(server, '/admin/agents', admin, {
      groupId: '10000',
      username: 'bad name',
      email: 'not-an-email',
      password: 'short',
      role: 'agent',
    });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('Username: may only contain letters, digits and . _ @ + -');
    expect(html).toContain('Password: must be at least 10 characters');
    expect(html).toContain('value="bad name"');

    const demo = await server.store.findAgentByUsername('demo');
    const demote = await postForm(server, `/admin/agents/${demo!.id}`, admin, {
      username: 'demo',
      role: 'agent',
      'privilege-view': 'on',
    });
    expect(demote.status).toBe(403);
    expect(await demote.text()).toContain('it is the last enabled administrator');
    expect((await server.store.getAgent(demo!.id))?.role).toBe('admin');
    const self = await postForm(server, `/admin/agents/${demo!.id}/delete`, admin, {});
    expect(self.status).toBe(403);
    expect(await self.text()).toContain('you cannot delete your own account');
  });

  it('shows the audit log filtered by group, agent, key, event and dates', async () => {
    const server = await startTestServer();
    const admin = await session(server);
    const demo = await server.store.findAgentByUsername('demo');
    const day = Date.UTC(2024, 4, 1, 12);
    for (const [at, event, key] of [
      [day, 'session.started', '4711'],
      [day + 1000, 'agent.joined', '4711'],
      [day + 86_400_000, 'session.started', '9999'],
    ] as const) {
      await server.store.appendAudit({
        at,
        groupId: '10000',
        event,
        sessionId: 's',
        sessionKey: key,
        agentId: event === 'agent.joined' ? demo!.id : null,
        detail: { reason: 'test' },
      });
    }
    const html = await (
      await page(
        server,
        '/admin/audit?groupId=10000&sessionKey=4711&from=2024-05-01&to=2024-05-01',
        admin,
      )
    ).text();
    expect(html).toContain('<td>Agent joined</td>');
    expect(html).toContain('<td>Session started</td>');
    expect(html).not.toContain('<code>9999</code>');
    expect(html).toContain('2024-05-01 12:00:01 UTC');
    expect(html).toContain('<td>demo</td>');
    const byAgent = await (
      await page(server, `/admin/audit?agentId=${demo!.id}&event=agent.joined`, admin)
    ).text();
    expect(byAgent.match(/<tr>/g)?.length).toBe(2); // header + one entry
    const bad = await page(server, '/admin/audit?from=soon', admin);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('From: must be a date');
  });
});
