/**
 * The viewer URL over real sockets ([AV1]–[AV3], [VW3]): sign-in redirect and back,
 * key validation, no-such-session, the page's CSP and configuration.
 */
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../src/shared/protocol/version.js';
import { TicketSigner, loadOrCreateSecret } from '../../src/server/auth/tickets.js';
import {
  TEST_DEMO_PASSWORD,
  signIn,
  startTestServer,
  type TestServer,
} from '../helpers/start-server.js';

/** A visitor socket that has started a session with `key` (waits for `welcome`). */
async function startVisitorSession(
  server: TestServer,
  key: string,
  groupId = '10000',
): Promise<WebSocket> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws/visitor`, {
    origin: 'http://shop.example',
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.send(
    JSON.stringify({
      type: 'hello',
      v: PROTOCOL_VERSION,
      role: 'visitor',
      groupId,
      site: 'staging',
      key,
      page: { url: 'https://shop.example/cart', title: 'Your cart' },
      visitor: { name: 'Vera Visitor' },
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      const message = JSON.parse(String(data)) as { type: string };
      if (message.type === 'welcome') resolve();
      if (message.type === 'error') reject(new Error(String(data)));
    });
    socket.once('close', (code) => reject(new Error(`visitor socket closed ${code}`)));
  });
  return socket;
}

function viewerConfig(html: string): Record<string, unknown> {
  const json = /<script type="application\/json" id="oc-viewer-config">(.*?)<\/script>/s.exec(
    html,
  )?.[1];
  expect(json).toBeDefined();
  return JSON.parse(json!) as Record<string, unknown>;
}

describe('[AV1] viewer URL', () => {
  it('[AV2] sends an agent who is not signed in to /login and back afterwards', async () => {
    const server = await startTestServer();
    const path = '/agentjoin/AgentView.aspx?SessionKey=1234&Wait=1';
    const first = await fetch(`${server.baseUrl}${path}`, { redirect: 'manual' });
    expect(first.status).toBe(302);
    const location = first.headers.get('location')!;
    expect(location).toBe(`/login?next=${encodeURIComponent(path)}`);

    const form = await fetch(`${server.baseUrl}${location}`);
    const html = await form.text();
    expect(html).toContain(`name="next" value="${path.replace(/&/g, '&amp;')}"`);
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const cookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
    const login = await fetch(`${server.baseUrl}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({
        username: 'demo',
        password: TEST_DEMO_PASSWORD,
        csrf,
        next: path,
      }),
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe(path);
    const session = login.headers
      .getSetCookie()
      .find((c) => c.startsWith('oc_session='))!
      .split(';')[0]!;
    const viewer = await fetch(`${server.baseUrl}${path}`, {
      headers: { cookie: session },
      redirect: 'manual',
    });
    expect(viewer.status).toBe(200);
  });

  it('renders the viewer page with its CSP, root element, bundle and JSON configuration', async () => {
    const server = await startTestServer();
    const cookie = await signIn(server);
    const response = await fetch(
      `${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=1234&Wait=1`,
      { headers: { cookie } },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const csp = response.headers.get('content-security-policy');
    expect(csp).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline' http: https: data: blob:; " +
        'img-src * data: blob:; font-src * data:; media-src * data: blob:; ' +
        "connect-src 'self' ws: wss:; frame-src 'self'; base-uri http: https:; form-action 'none'; " +
        "frame-ancestors 'self'; object-src 'none'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('same-origin');
    const html = await response.text();
    expect(html).toContain('<link rel="stylesheet" href="/static/viewer.css">');
    expect(html).toContain('<div id="oc-viewer"></div>');
    expect(html).toContain('<script src="/static/viewer.js" defer></script>');
    expect(html).not.toMatch(/<script>(?!<)/); // no inline script
    const config = viewerConfig(html);
    expect(config).toMatchObject({
      key: '1234',
      wait: true,
      wsPath: '/ws/agent',
      agent: { username: 'demo', name: 'Demo Agent' },
    });

    // The ticket proves the demo agent of group 10000 (checked with the installation's secret).
    const signer = new TicketSigner(await loadOrCreateSecret(server.store, 'ticket_secret'));
    const demo = await server.store.findAgentByUsername('demo');
    expect(signer.verifyTicket(String(config['ticket']))).toMatchObject({
      agentId: demo!.id,
      groupId: '10000',
    });
  });

  it('escapes "<" in the configuration so no value can end the data block', async () => {
    const server = await startTestServer();
    const demo = await server.store.findAgentByUsername('demo');
    await server.store.updateAgent(demo!.id, { displayName: '</script><script>alert(1)</script>' });
    const cookie = await signIn(server);
    const html = await (
      await fetch(`${server.baseUrl}/agent/view?SessionKey=k1&Wait=1`, { headers: { cookie } })
    ).text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('\\u003c/script>');
    expect(viewerConfig(html)).toMatchObject({
      agent: { name: '</script><script>alert(1)</script>' },
    });
  });

  it('takes parameter names in any case, VisitorId as SessionKey, and the aliases', async () => {
    const server = await startTestServer();
    const cookie = await signIn(server);
    for (const path of [
      '/agentjoin/AgentView.aspx?sessionkey=abc_1&wait=1',
      '/cobrowse/AgentView.aspx?VISITORID=abc_1&WAIT=1',
      '/agent/view?visitorId=abc_1&Wait=1',
    ]) {
      const response = await fetch(`${server.baseUrl}${path}`, { headers: { cookie } });
      expect(response.status, path).toBe(200);
      expect(viewerConfig(await response.text()), path).toMatchObject({ key: 'abc_1', wait: true });
    }
  });

  it('answers an invalid key with a 400 page', async () => {
    const server = await startTestServer();
    const cookie = await signIn(server);
    for (const key of ['bad key', 'a'.repeat(51), '<script>', 'ü']) {
      const response = await fetch(
        `${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=${encodeURIComponent(key)}&Wait=1`,
        {
          headers: { cookie },
        },
      );
      expect(response.status, key).toBe(400);
      const html = await response.text();
      expect(html).toContain('Invalid session key');
      expect(html).not.toContain('<script>');
    }
    const missing = await fetch(`${server.baseUrl}/agentjoin/AgentView.aspx?Wait=1`, {
      headers: { cookie },
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('Session key missing');
  });

  it('[AV3] without Wait=1, a key with no live session gets a 404 "No such session" page', async () => {
    const server = await startTestServer();
    const cookie = await signIn(server);
    const response = await fetch(`${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=4242`, {
      headers: { cookie },
    });
    expect(response.status).toBe(404);
    const html = await response.text();
    expect(html).toContain('No such session');
    expect(html).not.toContain('oc-viewer-config');
  });

  it('[AV3] without Wait=1, a live session of the group opens the viewer', async () => {
    const server = await startTestServer();
    const cookie = await signIn(server);
    const visitor = await startVisitorSession(server, 'cart-42');
    try {
      const response = await fetch(
        `${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=cart-42`,
        { headers: { cookie } },
      );
      expect(response.status).toBe(200);
      expect(viewerConfig(await response.text())).toMatchObject({ key: 'cart-42', wait: false });
    } finally {
      visitor.close();
    }
  });

  it("[JN1] another group's live key gets exactly the unknown-key page", async () => {
    const server = await startTestServer();
    await server.store.createGroup({ id: '20000', name: 'Other bank', apiKey: null });
    const cookie = await signIn(server);
    const visitor = await startVisitorSession(server, 'other-77', '20000');
    try {
      const unknown = await fetch(
        `${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=other-78`,
        { headers: { cookie } },
      );
      const other = await fetch(`${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=other-77`, {
        headers: { cookie },
      });
      expect(other.status).toBe(404);
      expect((await other.text()).replace('other-77', 'KEY')).toBe(
        (await unknown.text()).replace('other-78', 'KEY'),
      );
    } finally {
      visitor.close();
    }
  });
});
