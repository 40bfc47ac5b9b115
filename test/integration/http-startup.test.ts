/**
 * Starting and stopping the whole server: first-start demo data, config-file groups, the
 * demo site on its own origin, the agent-socket origin check, clean close.
 */
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createConfig, type ServerConfig } from '../../src/server/config.js';
import { createLogger } from '../../src/server/logger.js';
import { startServer, type RunningServer } from '../../src/server/server.js';
import { DEFAULT_SITE_SETTINGS } from '../../src/server/store/store.js';
import { signIn, startTestServer } from '../helpers/start-server.js';

describe('server start', () => {
  let dataDir: string;
  const running: RunningServer[] = [];

  const start = async (overrides: Partial<ServerConfig> = {}) => {
    const server = await startServer(
      createConfig({
        port: 0,
        logLevel: 'silent',
        dataDir,
        ...overrides,
        demo: {
          enabled: false,
          port: undefined,
          password: undefined,
          apiKey: undefined,
          ...overrides.demo,
        },
      }),
    );
    running.push(server);
    return server;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'oc-start-'));
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates the demo group and an admin demo agent with a generated password at first start only', async () => {
    const first = await start();
    expect(first.demoCredentials).toMatchObject({
      username: 'demo',
      generated: true,
      groupId: '10000',
    });
    const password = first.demoCredentials!.password!;
    expect(password.length).toBeGreaterThanOrEqual(16);
    const group = await first.store.getGroup('10000');
    expect(group).toMatchObject({ id: '10000', name: 'Demo' });
    expect(group!.apiKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const agent = await first.store.findAgentByUsername('demo');
    expect(agent).toMatchObject({
      displayName: 'Demo Agent',
      partnerUserId: 'demo',
      role: 'admin',
      privileges: { view: true, remoteControl: true, navigate: true, screenShare: true },
    });
    expect(agent!.passwordHash).not.toContain(password);
    await signIn({ baseUrl: `http://127.0.0.1:${first.port}` }, 'demo', password);
    await first.close();

    const second = await start();
    expect(second.demoCredentials).toMatchObject({
      username: 'demo',
      password: undefined,
      generated: false,
    });
    await signIn({ baseUrl: `http://127.0.0.1:${second.port}` }, 'demo', password);
  });

  it('logs the URLs and the generated demo login through the injected logger', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({
      level: 'info',
      destination: {
        write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
      },
    });
    const server = await startServer(
      createConfig({
        port: 0,
        dataDir,
        demo: { enabled: true, port: 0, password: undefined, apiKey: undefined },
      }),
      { logger },
    );
    running.push(server);
    const started = lines.find((line) => line['msg'] === 'OpenCobrowse started');
    expect(started).toMatchObject({
      level: 30,
      url: server.url,
      consoleUrl: `${server.url}/console`,
      demoUrl: server.demoUrl,
      demoUsername: 'demo',
      demoPassword: server.demoCredentials!.password,
    });
  });

  it('takes the demo password and API key from the environment, also on later starts', async () => {
    const first = await start({
      demo: { enabled: false, port: undefined, password: 'first-password', apiKey: 'a'.repeat(32) },
    });
    expect(first.demoCredentials).toMatchObject({ password: 'first-password', generated: false });
    expect((await first.store.getGroup('10000'))!.apiKey).toBe('a'.repeat(32));
    await first.close();

    const second = await start({
      demo: {
        enabled: false,
        port: undefined,
        password: 'second-password',
        apiKey: 'b'.repeat(32),
      },
    });
    expect((await second.store.getGroup('10000'))!.apiKey).toBe('b'.repeat(32));
    await signIn({ baseUrl: `http://127.0.0.1:${second.port}` }, 'demo', 'second-password');
    await expect(
      signIn({ baseUrl: `http://127.0.0.1:${second.port}` }, 'demo', 'first-password'),
    ).rejects.toThrow(/HTTP 401/);
  });

  it('keeps the API keys sealed with the secret key of the data directory, and refuses a start with another key', async () => {
    const first = await start({
      demo: { enabled: false, port: undefined, password: undefined, apiKey: 'c'.repeat(32) },
    });
    await first.close();
    const keyFile = path.join(dataDir, 'secret.key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const database = (await readFile(path.join(dataDir, 'opencobrowse.sqlite'))).toString('latin1');
    expect(database).toContain('demo_bootstrapped'); // the file is readable as text…
    expect(database).not.toContain('c'.repeat(32)); // …and the API key is not in it

    await expect(start({ secretKey: 'ab'.repeat(32) })).rejects.toThrow(
      /COBROWSE_SECRET_KEY is not the secret key this database was set up with/,
    );
    const again = await start();
    expect((await again.store.getGroup('10000'))!.apiKey).toBe('c'.repeat(32));
  });

  it('a first start that fails (port taken) shows a new password on the next start', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(start({ port })).rejects.toThrow(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const next = await start();
    expect(next.demoCredentials).toMatchObject({ generated: true, password: expect.any(String) });
  });

  it('applies the groups of the config file at every start, merging settings', async () => {
    const groups = [
      {
        id: '10000',
        name: 'Demo',
        settings: { staging: { maskedSelectors: ['#account-number'] } },
      },
      {
        id: '20000',
        name: 'Bank',
        apiKey: 'k'.repeat(20),
        settings: { production: { randomKeyLength: 6 } },
      },
    ];
    const first = await start({ groups });
    expect(await first.store.getSettings('10000', 'staging')).toEqual({
      ...DEFAULT_SITE_SETTINGS,
      maskedSelectors: ['#account-number'],
    });
    expect(await first.store.getGroup('20000')).toMatchObject({
      name: 'Bank',
      apiKey: 'k'.repeat(20),
    });
    await first.store.putSettings('20000', 'production', { allowRemoteControl: false });
    await first.close();

    const second = await start({
      groups: [
        {
          id: '20000',
          name: 'Bank renamed',
          settings: { production: { trustedDomains: ['bank.example'] } },
        },
      ],
    });
    expect(await second.store.getGroup('20000')).toMatchObject({
      name: 'Bank renamed',
      apiKey: 'k'.repeat(20),
    });
    expect(await second.store.getSettings('20000', 'production')).toEqual({
      ...DEFAULT_SITE_SETTINGS,
      randomKeyLength: 6,
      allowRemoteControl: false,
      trustedDomains: ['bank.example'],
    });
  });

  it('close() is idempotent and frees the port', async () => {
    const server = await start();
    const url = `http://127.0.0.1:${server.port}/healthz`;
    expect((await fetch(url)).status).toBe(200);
    await Promise.all([server.close(), server.close()]);
    await server.close();
    await expect(fetch(url)).rejects.toThrow();
  });
});

describe('demo site', () => {
  it('serves the demo pages from a second origin with the server URL in the script tag', async () => {
    const server = await startTestServer({ demoSite: true });
    expect(server.demoUrl).toMatch(/^http:\/\/localhost:\d+\/$/);
    const demoPort = new URL(server.demoUrl!).port;
    expect(demoPort).not.toBe(String(server.port));
    const response = await fetch(`http://127.0.0.1:${demoPort}/`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain(
      `<script id="glance-cobrowse" src="${server.url}/cobrowse/CobrowseJS.ashx?group=10000&site=staging" data-groupid="10000" data-site="staging"></script>`,
    );
    expect(html).toContain('glance_masked="true"');
    expect(html).toContain('<a href="/help.html"');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // page scripts are files
    const help = await fetch(`http://127.0.0.1:${demoPort}/help.html`);
    expect(help.status).toBe(200);
    const script = await fetch(`http://127.0.0.1:${demoPort}/demo.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain("startSession('GLANCE_KEYTYPE_RANDOM')");
    for (const bad of ['/../package.json', '/%2e%2e/package.json', '/nope.html', '/.hidden.html']) {
      expect((await fetch(`http://127.0.0.1:${demoPort}${bad}`)).status, bad).toBe(404);
    }
  });
});

describe('[HS4] agent socket origin', () => {
  const tryAgentSocket = (port: number, origin: string) =>
    new Promise<number | 'open'>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/ws/agent`, { origin });
      socket.once('open', () => {
        socket.close();
        resolve('open');
      });
      socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      socket.once('error', () => undefined);
    });

  it("accepts the server's own origin (as localhost, 127.0.0.1 or the public URL) and refuses others with 403", async () => {
    const server = await startTestServer({ publicUrl: 'https://cobrowse.example.com' });
    expect(await tryAgentSocket(server.port, `http://127.0.0.1:${server.port}`)).toBe('open');
    expect(await tryAgentSocket(server.port, `http://localhost:${server.port}`)).toBe('open');
    expect(await tryAgentSocket(server.port, 'https://cobrowse.example.com')).toBe('open');
    expect(await tryAgentSocket(server.port, 'https://evil.example')).toBe(403);
    expect(await tryAgentSocket(server.port, `http://127.0.0.1:${server.port + 1}`)).toBe(403);
  });
});
