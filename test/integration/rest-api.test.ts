/**
 * The REST API (docs/rest-api.md) over real HTTP: group API keys and admin sessions,
 * scoping a key to its group, CSRF for cookie callers, validation that names the field,
 * agents, settings that reach the next session, login keys that sign in, the audit log.
 */
import { describe, expect, it } from 'vitest';
import { connectVisitor } from '../helpers/protocol-clients.js';
import { signIn, startTestServer, type TestServer } from '../helpers/start-server.js';
import { DEMO_API_KEY, session, sessionCookieOf, type Session } from './http-test-kit.js';

/** Calls the API with a bearer key or a session (its CSRF token sent unless `csrf: false`). */
async function api(
  server: TestServer,
  method: string,
  path: string,
  as: string | Session | undefined,
  body?: unknown,
  options: { csrf?: boolean } = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (typeof as === 'string') headers['authorization'] = `Bearer ${as}`;
  else if (as) {
    headers['cookie'] = as.cookie;
    if (options.csrf !== false) headers['x-csrf-token'] = as.csrf;
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: response.headers,
  };
}

const startServer = () => startTestServer({ demoApiKey: DEMO_API_KEY });

describe('REST API authentication', () => {
  it('refuses calls without credentials, with a wrong key, and from non-admin sessions', async () => {
    const server = await startServer();
    const none = await api(server, 'GET', '/api/v1/groups', undefined);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(none.body).toMatchObject({ error: 'unauthorized' });

    const wrong = await api(server, 'GET', '/api/v1/groups', 'not-a-key-0123456789');
    expect(wrong.status).toBe(401);
    expect(wrong.body['message']).toMatch(/API key is not valid/);

    await server.accounts.createAgent({ kind: 'cli' }, '10000', {
      username: 'plain',
      displayName: '',
      email: '',
      title: '',
      partnerUserId: '',
      password: 'plain-password-123',
      role: 'agent',
      disabled: false,
    });
    const agent = await session(server, 'plain', 'plain-password-123');
    const refused = await api(server, 'GET', '/api/v1/groups', agent);
    expect(refused.status).toBe(403);
    expect(refused.body['message']).toMatch(/Only administrators/);
  });

  it('throttles invalid API keys per address, then refuses even a valid one with 429', async () => {
    const server = await startTestServer({
      demoApiKey: DEMO_API_KEY,
      loginMaxFailuresPerMinute: 3,
    });
    for (let i = 0; i < 3; i++)
      expect((await api(server, 'GET', '/api/v1/groups', `guess-${i}-0123456789`)).status).toBe(
        401,
      );
    const blocked = await api(server, 'GET', '/api/v1/groups', DEMO_API_KEY);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toMatchObject({ error: 'rate_limited' });
  });

  it('lets an admin session read freely but change only with the X-CSRF-Token header', async () => {
    const server = await startServer();
    const admin = await session(server);
    expect(
      (await api(server, 'GET', '/api/v1/groups', admin, undefined, { csrf: false })).status,
    ).toBe(200);
    const forged = await api(
      server,
      'POST',
      '/api/v1/groups',
      admin,
      { id: '20000', name: 'Bank' },
      { csrf: false },
    );
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ error: 'csrf' });
    expect(await server.store.getGroup('20000')).toBeUndefined();
    const created = await api(server, 'POST', '/api/v1/groups', admin, {
      id: '20000',
      name: 'Bank',
    });
    expect(created.status).toBe(201);
  });
});

describe('REST API groups and keys', () => {
  it('creates a group with a key shown once, that then works as a bearer key for that group only', async () => {
    const server = await startServer();
    const admin = await session(server);
    const created = await api(server, 'POST', '/api/v1/groups', admin, {
      id: '20000',
      name: 'Bank',
    });
    expect(created.status).toBe(201);
    const apiKey = created.body['apiKey'] as string;
    expect(apiKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.body['group']).toMatchObject({ id: '20000', name: 'Bank', hasApiKey: true });

    // Listing never shows a key again.
    const list = await api(server, 'GET', '/api/v1/groups', admin);
    expect(JSON.stringify(list.body)).not.toContain(apiKey);
    expect((list.body['groups'] as { id: string }[]).map((g) => g.id)).toEqual(['10000', '20000']);

    // The key sees its own group and nothing of the other — "not found", as if absent.
    const own = await api(server, 'GET', '/api/v1/groups', apiKey);
    expect((own.body['groups'] as { id: string }[]).map((g) => g.id)).toEqual(['20000']);
    for (const path of [
      '/api/v1/groups/10000',
      '/api/v1/groups/10000/agents',
      '/api/v1/groups/10000/settings/staging',
    ]) {
      const other = await api(server, 'GET', path, apiKey);
      expect(other.status, path).toBe(404);
      expect(other.body['message']).toBe('no group 10000');
    }
    const demo = await server.store.findAgentByUsername('demo');
    expect((await api(server, 'GET', `/api/v1/agents/${demo!.id}`, apiKey)).status).toBe(404);
    expect((await api(server, 'GET', '/api/v1/audit?groupId=10000', apiKey)).status).toBe(404);
    // …and cannot create groups.
    expect(
      (await api(server, 'POST', '/api/v1/groups', apiKey, { id: '30000', name: 'x' })).status,
    ).toBe(403);
  });

  it('rotates a key: the new one works at once and the old one no longer does', async () => {
    const server = await startServer();
    const rotated = await api(server, 'POST', '/api/v1/groups/10000/api-key', DEMO_API_KEY);
    expect(rotated.status).toBe(200);
    const next = rotated.body['apiKey'] as string;
    expect(next).not.toBe(DEMO_API_KEY);
    expect((await api(server, 'GET', '/api/v1/groups/10000', DEMO_API_KEY)).status).toBe(401);
    expect((await api(server, 'GET', '/api/v1/groups/10000', next)).body).toMatchObject({
      id: '10000',
      hasApiKey: true,
    });
  });

  it('names the field at fault, refuses unknown fields and a taken id', async () => {
    const server = await startServer();
    const admin = await session(server);
    const bad = await api(server, 'POST', '/api/v1/groups', admin, { id: '12', name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid', field: 'id' });
    expect(bad.body['message']).toBe('id: must be 4 to 6 digits; name: must not be empty');
    const unknown = await api(server, 'PATCH', '/api/v1/groups/10000', admin, { nmae: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body['message']).toBe('nmae: is not a known field');
    const taken = await api(server, 'POST', '/api/v1/groups', admin, {
      id: '10000',
      name: 'Again',
    });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ error: 'conflict', field: 'id' });
    const notJson = await fetch(`${server.baseUrl}/api/v1/groups/10000`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${DEMO_API_KEY}`, 'content-type': 'application/json' },
      body: '{name:',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { message: string }).message).toMatch(/JSON/);
  });
});

describe('REST API settings', () => {
  it('[MK2] changes masking selectors that reach the next session start, keeping the other settings', async () => {
    const server = await startServer();
    const before = await api(
      server,
      'GET',
      '/api/v1/groups/10000/settings/production',
      DEMO_API_KEY,
    );
    expect(before.body).toMatchObject({ maskedSelectors: [], randomKeyLength: 4 });
    const patched = await api(
      server,
      'PATCH',
      '/api/v1/groups/10000/settings/production',
      DEMO_API_KEY,
      {
        maskedSelectors: ['#card-number', '.balance'],
        randomKeyLength: 6,
      },
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      maskedSelectors: ['#card-number', '.balance'],
      randomKeyLength: 6,
      allowRemoteControl: true,
    });
    const { client, welcome } = await connectVisitor(server, { site: 'production' });
    try {
      expect(welcome.settings.maskedSelectors).toEqual(['#card-number', '.balance']);
      expect(welcome.key).toMatch(/^\d{6}$/);
    } finally {
      client.close();
    }
    // The staging site is untouched.
    expect(
      (await api(server, 'GET', '/api/v1/groups/10000/settings/staging', DEMO_API_KEY)).body,
    ).toMatchObject({ maskedSelectors: [] });
  });

  it('refuses bad settings with the field named, and an unknown site', async () => {
    const server = await startServer();
    const bad = await api(server, 'PATCH', '/api/v1/groups/10000/settings/staging', DEMO_API_KEY, {
      trustedDomains: ['https://shop.example.com/'],
      sessionCodeExpiryMinutes: 0,
    });
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toBe(
      'trustedDomains[0]: must be a host like shop.example.com or *.example.com; sessionCodeExpiryMinutes: must be at least 1',
    );
    expect(
      (await api(server, 'PATCH', '/api/v1/groups/10000/settings/staging', DEMO_API_KEY, {}))
        .status,
    ).toBe(400);
    expect(
      (await api(server, 'GET', '/api/v1/groups/10000/settings/test', DEMO_API_KEY)).status,
    ).toBe(404);
  });
});

describe('REST API agents', () => {
  it('creates, reads, changes, disables and deletes agents without ever returning a password', async () => {
    const server = await startServer();
    const created = await api(server, 'POST', '/api/v1/groups/10000/agents', DEMO_API_KEY, {
      username: 'ada',
      displayName: 'Ada Lovelace',
      email: 'ada@example.com',
      partnerUserId: 'crm-ada',
      password: 'ada-password-123',
      role: 'viewer',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: 'ada',
      role: 'viewer',
      privileges: { view: true, remoteControl: false, navigate: false, screenShare: false },
      hasPassword: true,
      disabled: false,
    });
    expect(JSON.stringify(created.body)).not.toMatch(/password-123|scrypt/);
    const id = created.body['id'] as number;
    const cookie = await signIn(server, 'ada', 'ada-password-123');

    const changed = await api(server, 'PATCH', `/api/v1/agents/${id}`, DEMO_API_KEY, {
      title: 'Support lead',
      privileges: { remoteControl: true },
      disabled: true,
    });
    expect(changed.body).toMatchObject({
      title: 'Support lead',
      disabled: true,
      privileges: { view: true, remoteControl: true },
    });
    // Disabling ended the agent's web session at once.
    expect(
      (await fetch(`${server.baseUrl}/console`, { headers: { cookie }, redirect: 'manual' }))
        .status,
    ).toBe(302);

    const listed = await api(server, 'GET', '/api/v1/groups/10000/agents', DEMO_API_KEY);
    expect((listed.body['agents'] as { username: string }[]).map((a) => a.username)).toEqual([
      'demo',
      'ada',
    ]);
    expect((await api(server, 'DELETE', `/api/v1/agents/${id}`, DEMO_API_KEY)).status).toBe(204);
    expect((await api(server, 'GET', `/api/v1/agents/${id}`, DEMO_API_KEY)).status).toBe(404);
  });

  it('keeps a group key from making or touching administrators', async () => {
    const server = await startServer();
    const admin = await api(server, 'POST', '/api/v1/groups/10000/agents', DEMO_API_KEY, {
      username: 'boss',
      role: 'admin',
    });
    expect(admin.status).toBe(403);
    expect(admin.body).toMatchObject({ error: 'forbidden', field: 'role' });
    const demo = await server.store.findAgentByUsername('demo');
    expect(
      (
        await api(server, 'PATCH', `/api/v1/agents/${demo!.id}`, DEMO_API_KEY, {
          password: 'taken-over-123',
        })
      ).status,
    ).toBe(403);
    expect((await api(server, 'DELETE', `/api/v1/agents/${demo!.id}`, DEMO_API_KEY)).status).toBe(
      403,
    );
    const plain = await api(server, 'POST', '/api/v1/groups/10000/agents', DEMO_API_KEY, {
      username: 'x',
    });
    expect(
      (
        await api(server, 'PATCH', `/api/v1/agents/${plain.body['id']}`, DEMO_API_KEY, {
          role: 'admin',
        })
      ).status,
    ).toBe(403);
  });

  it('refuses a taken username or partner user id with 409 and the field', async () => {
    const server = await startServer();
    const taken = await api(server, 'POST', '/api/v1/groups/10000/agents', DEMO_API_KEY, {
      username: 'demo',
    });
    expect(taken).toMatchObject({ status: 409, body: { field: 'username' } });
    const puid = await api(server, 'POST', '/api/v1/groups/10000/agents', DEMO_API_KEY, {
      username: 'other',
      partnerUserId: 'demo',
    });
    expect(puid).toMatchObject({ status: 409, body: { field: 'partnerUserId' } });
    const short = await api(server, 'POST', '/api/v1/groups/10000/agents', DEMO_API_KEY, {
      username: 'pw',
      password: 'short',
    });
    expect(short.body['message']).toBe('password: must be at least 10 characters');
  });

  it('never lets the last administrator be disabled, demoted or deleted', async () => {
    const server = await startServer();
    const admin = await session(server);
    const demo = await server.store.findAgentByUsername('demo');
    for (const patch of [{ disabled: true }, { role: 'agent' }]) {
      const refused = await api(server, 'PATCH', `/api/v1/agents/${demo!.id}`, admin, patch);
      expect(refused.status).toBe(403);
      expect(refused.body['message']).toMatch(/last enabled administrator/);
    }
    expect((await api(server, 'DELETE', `/api/v1/agents/${demo!.id}`, admin)).body['message']).toBe(
      'you cannot delete your own account',
    );
  });
});

describe('REST API login keys and audit', () => {
  it('issues a login key whose viewer URL signs the agent in', async () => {
    const server = await startServer();
    const issued = await api(server, 'POST', '/api/v1/groups/10000/login-keys', DEMO_API_KEY, {
      partnerUserId: 'demo',
      expiresIn: 600,
      sessionKey: 'crm-77',
    });
    expect(issued.status).toBe(201);
    expect(issued.body['loginKey']).toMatch(/^\$1\$\d+\$[A-Za-z0-9_-]{43}$/);
    const viewerUrl = new URL(issued.body['viewerUrl'] as string);
    const response = await fetch(`${server.baseUrl}${viewerUrl.pathname}${viewerUrl.search}`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(sessionCookieOf(response)).toBeDefined();
    expect(response.headers.get('location')).toBe(
      '/agentjoin/AgentView.aspx?SessionKey=crm-77&Wait=1',
    );
    const unknown = await api(server, 'POST', '/api/v1/groups/10000/login-keys', DEMO_API_KEY, {
      partnerUserId: 'nobody',
    });
    expect(unknown).toMatchObject({ status: 404, body: { field: 'partnerUserId' } });
  });

  it('lists audit entries with filters and pages, admin changes included', async () => {
    const server = await startServer();
    const { client } = await connectVisitor(server, { key: 'audit-key' });
    client.close();
    await api(server, 'PATCH', '/api/v1/groups/10000/settings/staging', DEMO_API_KEY, {
      randomKeyLength: 5,
    });
    const changes = await api(
      server,
      'GET',
      '/api/v1/audit?event=admin.settings_changed',
      DEMO_API_KEY,
    );
    expect(changes.body['entries']).toMatchObject([
      {
        event: 'admin.settings_changed',
        groupId: '10000',
        detail: { by: 'API key of group 10000', site: 'staging', fields: ['randomKeyLength'] },
      },
    ]);
    const byKey = await api(server, 'GET', '/api/v1/audit?sessionKey=audit-key', DEMO_API_KEY);
    expect((byKey.body['entries'] as { event: string }[]).map((e) => e.event)).toContain(
      'session.started',
    );

    const first = await api(server, 'GET', '/api/v1/audit?limit=1', DEMO_API_KEY);
    expect((first.body['entries'] as unknown[]).length).toBe(1);
    const next = first.body['next'] as string;
    expect(next).toMatch(/^\d+\.\d+$/);
    const second = await api(server, 'GET', `/api/v1/audit?limit=1&before=${next}`, DEMO_API_KEY);
    expect((second.body['entries'] as { id: number }[])[0]!.id).toBeLessThan(
      (first.body['entries'] as { id: number }[])[0]!.id,
    );

    const today = new Date().toISOString().slice(0, 10);
    expect(
      (
        (await api(server, 'GET', `/api/v1/audit?from=${today}&to=${today}`, DEMO_API_KEY)).body[
          'entries'
        ] as unknown[]
      ).length,
    ).toBeGreaterThan(0);
    expect(
      (
        (await api(server, 'GET', '/api/v1/audit?to=2000-01-01', DEMO_API_KEY)).body[
          'entries'
        ] as unknown[]
      ).length,
    ).toBe(0);
    const bad = await api(server, 'GET', '/api/v1/audit?from=yesterday&event=nope', DEMO_API_KEY);
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/^event: must be one of .*; from: must be a date/);
  });
});
