/**
 * The agent console, its JSON feed, and the headers every page carries.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../src/shared/protocol/version.js';
import { signIn, startTestServer } from '../helpers/start-server.js';
import type { SessionsResponse } from '../../src/server/http/console-routes.js';

describe('agent console', () => {
  it('redirects / to /console and /console to the login when signed out', async () => {
    const server = await startTestServer();
    const root = await fetch(`${server.baseUrl}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console');
    const console = await fetch(`${server.baseUrl}/console`, { redirect: 'manual' });
    expect(console.status).toBe(302);
    expect(console.headers.get('location')).toBe('/login?next=%2Fconsole');
  });

  it('answers /api/sessions with 401 JSON when signed out', async () => {
    const server = await startTestServer();
    const response = await fetch(`${server.baseUrl}/api/sessions`);
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: 'unauthorized', message: 'Not signed in.' });
  });

  it('lists the live sessions of the agent’s group only, with a join link', async () => {
    const server = await startTestServer();
    await server.store.createGroup({ id: '20000', name: 'Other', apiKey: null });
    const cookie = await signIn(server);

    const empty = (await (
      await fetch(`${server.baseUrl}/api/sessions`, { headers: { cookie } })
    ).json()) as SessionsResponse;
    expect(empty.sessions).toEqual([]);

    const visitors = await Promise.all([
      openVisitor(server.port, '10000', 'vip-1'),
      openVisitor(server.port, '20000', 'secret-2'),
    ]);
    try {
      const response = await fetch(`${server.baseUrl}/api/sessions`, { headers: { cookie } });
      expect(response.headers.get('cache-control')).toBe('no-store');
      const body = (await response.json()) as SessionsResponse;
      expect(body.sessions).toEqual([
        {
          key: 'vip-1',
          randomKey: false,
          site: 'staging',
          startedAt: expect.any(Number),
          visitorConnected: true,
          agentCount: 0,
          pageTitle: 'Checkout',
          pageUrl: 'https://shop.example/checkout',
          visitorName: '',
          joinUrl: '/agentjoin/AgentView.aspx?SessionKey=vip-1&Wait=1',
        },
      ]);

      const html = await (await fetch(`${server.baseUrl}/console`, { headers: { cookie } })).text();
      expect(html).toContain(
        '<a href="/agentjoin/AgentView.aspx?SessionKey=vip-1&amp;Wait=1">Join',
      );
      expect(html).toContain('Checkout');
      expect(html).not.toContain('secret-2');
      expect(html).toContain(
        '<p id="oc-status" role="status" aria-live="polite">1 live session</p>',
      );
    } finally {
      for (const visitor of visitors) visitor.close();
    }
  });

  it('offers a labelled join form that opens the viewer with Wait=1, and the console script', async () => {
    const server = await startTestServer();
    const cookie = await signIn(server);
    const html = await (await fetch(`${server.baseUrl}/console`, { headers: { cookie } })).text();
    expect(html).toContain(
      '<form method="get" action="/agentjoin/AgentView.aspx" class="oc-join">',
    );
    expect(html).toContain('<label for="oc-key">Session key or code</label>');
    expect(html).toMatch(/<input id="oc-key" name="SessionKey"/);
    expect(html).toContain('<input type="hidden" name="Wait" value="1">');
    expect(html).toContain('<script src="/static/console.js" defer></script>');
  });

  it('answers the health check', async () => {
    const server = await startTestServer();
    const response = await fetch(`${server.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });
});

describe('security headers on pages', () => {
  it.each(['/login', '/console', '/no-such-page'])(
    '%s carries a strict CSP, nosniff, referrer policy and frame options',
    async (path) => {
      const server = await startTestServer();
      // Signed in for the console; signed out for the login form (signed in, it redirects).
      const cookie = path === '/login' ? '' : await signIn(server);
      const response = await fetch(`${server.baseUrl}${path}`, {
        headers: { cookie },
        redirect: 'manual',
      });
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("default-src 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'self'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('same-origin');
      expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      const html = await response.text();
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // every script is a file
      expect(html).not.toMatch(/\son[a-z]+=/i); // no inline handlers
    },
  );

  it('the 404 page says so', async () => {
    const server = await startTestServer();
    const response = await fetch(`${server.baseUrl}/no-such-page`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('Page not found');
  });
});

async function openVisitor(port: number, groupId: string, key: string): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/visitor`);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const welcome = new Promise<void>((resolve, reject) => {
    socket.on('message', (data) => {
      if (String(data).includes('"welcome"')) resolve();
    });
    socket.once('close', (code) => reject(new Error(`closed ${code}`)));
  });
  socket.send(
    JSON.stringify({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'visitor',
      groupId,
      site: 'staging',
      key,
      page: { url: 'https://shop.example/checkout', title: 'Checkout' },
    }),
  );
  await welcome;
  return socket;
}
