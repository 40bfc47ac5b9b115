/**
 * Guessing session codes on the viewer URL ([AV3]): without `Wait=1` an unknown key
 * answers 404, so failed lookups are counted per IP and per agent and answered 429 past
 * the limit — a brute force over 4-digit codes is stopped long before it finds one.
 * Also group isolation: another group's key is answered like an unknown one ([JN1]).
 */
import { describe, expect, it } from 'vitest';
import { connectVisitor } from '../helpers/protocol-clients.js';
import { signIn, startTestServer } from '../helpers/start-server.js';

const VIEWER = '/agentjoin/AgentView.aspx';
const LIMIT = 20;

describe('[AV3] session-key lookups', () => {
  it('stop a brute force over 4-digit codes with 429 long before it finds the code', async () => {
    const server = await startTestServer({ sessionLookupMaxFailuresPerMinute: LIMIT });
    const cookie = await signIn(server);
    // The visitor's session has a random 4-digit code, as the group's default setting says.
    const { client: visitor, welcome } = await connectVisitor(server);
    try {
      expect(welcome.key).toMatch(/^\d{4}$/);
      let attempts = 0;
      let found = false;
      let status = 0;
      for (let code = 0; code < 10_000; code++) {
        const key = String(code).padStart(4, '0');
        const response = await fetch(`${server.baseUrl}${VIEWER}?SessionKey=${key}`, {
          headers: { cookie },
        });
        attempts++;
        status = response.status;
        await response.arrayBuffer();
        if (status === 200) found = true;
        if (status !== 404 && status !== 200) break;
      }
      expect(status).toBe(429);
      // 20 misses (one of the codes tried may be the real one, with odds 20 in 10 000).
      expect(attempts).toBeLessThanOrEqual(LIMIT + 2);
      expect(found).toBe(Number(welcome.key) < attempts - 1);

      // From now on even the right code is refused, so guessing on is pointless.
      const right = await fetch(`${server.baseUrl}${VIEWER}?SessionKey=${welcome.key}`, {
        headers: { cookie },
      });
      expect(right.status).toBe(429);
      expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await right.text()).toContain('Too many unknown session keys');
      // Waiting for a session (Wait=1) is not a lookup and still works.
      const waiting = await fetch(`${server.baseUrl}${VIEWER}?SessionKey=${welcome.key}&Wait=1`, {
        headers: { cookie },
      });
      expect(waiting.status).toBe(200);
    } finally {
      visitor.close();
    }
  });

  it('count per IP (another agent from the same address is blocked) and per agent (another address is too)', async () => {
    const server = await startTestServer({
      sessionLookupMaxFailuresPerMinute: 3,
      trustProxy: true,
    });
    await server.accounts.createAgent({ kind: 'cli' }, '10000', {
      username: 'second',
      displayName: '',
      email: '',
      title: '',
      partnerUserId: '',
      password: 'second-password-123',
      role: 'agent',
      disabled: false,
    });
    const demo = await signIn(server);
    const second = await signIn(server, 'second', 'second-password-123');
    const lookup = (cookie: string, ip: string, key: string) =>
      fetch(`${server.baseUrl}${VIEWER}?SessionKey=${key}`, {
        headers: { cookie, 'x-forwarded-for': ip },
      });
    for (const key of ['a1', 'a2', 'a3'])
      expect((await lookup(demo, '10.0.0.1', key)).status).toBe(404);
    // Same IP, other agent: blocked by the IP's count.
    expect((await lookup(second, '10.0.0.1', 'b1')).status).toBe(429);
    // Same agent, other IP: blocked by the agent's count.
    expect((await lookup(demo, '10.0.0.2', 'c1')).status).toBe(429);
    // Other agent, other IP: free.
    expect((await lookup(second, '10.0.0.3', 'd1')).status).toBe(404);
  });

  it("[JN1] an agent sees only its group's sessions: another group's key looks unknown, also in the console list", async () => {
    const server = await startTestServer();
    await server.store.createGroup({ id: '20000', name: 'Other bank', apiKey: null });
    await server.accounts.createAgent({ kind: 'cli' }, '20000', {
      username: 'other',
      displayName: '',
      email: '',
      title: '',
      partnerUserId: '',
      password: 'other-password-123',
      role: 'agent',
      disabled: false,
    });
    const { client: visitor } = await connectVisitor(server, { key: 'shared-key' });
    try {
      const other = await signIn(server, 'other', 'other-password-123');
      const seen = await fetch(`${server.baseUrl}${VIEWER}?SessionKey=shared-key`, {
        headers: { cookie: other },
      });
      const unknown = await fetch(`${server.baseUrl}${VIEWER}?SessionKey=unknown-key`, {
        headers: { cookie: other },
      });
      expect(seen.status).toBe(404);
      expect((await seen.text()).replace('shared-key', 'K')).toBe(
        (await unknown.text()).replace('unknown-key', 'K'),
      );
      const list = (await (
        await fetch(`${server.baseUrl}/api/sessions`, { headers: { cookie: other } })
      ).json()) as { sessions: unknown[] };
      expect(list.sessions).toEqual([]);
      const demoList = (await (
        await fetch(`${server.baseUrl}/api/sessions`, { headers: { cookie: await signIn(server) } })
      ).json()) as { sessions: { key: string }[] };
      expect(demoList.sessions.map((s) => s.key)).toEqual(['shared-key']);
    } finally {
      visitor.close();
    }
  });

  it('refuses the viewer to an agent without the view privilege', async () => {
    const server = await startTestServer();
    await server.accounts.createAgent({ kind: 'cli' }, '10000', {
      username: 'blind',
      displayName: '',
      email: '',
      title: '',
      partnerUserId: '',
      password: 'blind-password-123',
      role: 'agent',
      privileges: { view: false },
      disabled: false,
    });
    const cookie = await signIn(server, 'blind', 'blind-password-123');
    const response = await fetch(`${server.baseUrl}${VIEWER}?SessionKey=1234&Wait=1`, {
      headers: { cookie },
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('may not view sessions');
  });
});
