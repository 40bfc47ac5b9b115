/**
 * Starts a real OpenCobrowse server for a test: port 0 on 127.0.0.1, a fresh temp data
 * directory (SQLite), demo site off unless asked, a known demo password, silent logs.
 *
 * ```ts
 * const server = await startTestServer();             // inside a test: closed when it ends
 * const cookie = await signIn(server);                 // the demo agent's session cookie
 * const res = await fetch(`${server.baseUrl}/api/sessions`, { headers: { cookie } });
 * ```
 *
 * Called inside a test, the server is closed (and its data directory removed) when the
 * test finishes. Called from a hook (`beforeAll`), the caller closes it (`afterAll(() =>
 * server.close())`). `close()` is idempotent.
 *
 * Set `TEST_LOG_LEVEL=debug` to see the server's log while debugging a test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFinished } from 'vitest';
import { createConfig, type LogLevel, type ServerConfig } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/server.js';

/** The demo agent's password in test servers. */
export const TEST_DEMO_PASSWORD = 'demo-password-for-tests';
/** The demo agent's username. */
export const TEST_DEMO_USERNAME = 'demo';
/** The demo group's id. */
export const TEST_GROUP_ID = '10000';

/** A running test server. */
export interface TestServer extends RunningServer {
  /** `http://127.0.0.1:<port>`: what tests fetch (the `url` says `localhost`). */
  baseUrl: string;
  /** The temp data directory (removed on close). */
  dataDir: string;
}

/** What a test may change. Everything else is the test default described above. */
export interface TestServerOptions extends Partial<Omit<ServerConfig, 'demo'>> {
  /** Serve the demo site (on its own port 0). Default false. */
  demoSite?: boolean;
  /** Demo agent password. Default `TEST_DEMO_PASSWORD`. */
  demoPassword?: string;
  /** The demo group's API key (`COBROWSE_DEMO_API_KEY`). Default: generated. */
  demoApiKey?: string;
}

/** Starts a server for a test; see the file comment for its teardown. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const {
    demoSite = false,
    demoPassword = TEST_DEMO_PASSWORD,
    demoApiKey,
    ...overrides
  } = options;
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'oc-server-')));
  const config = createConfig({
    port: 0,
    host: '127.0.0.1',
    logLevel: (process.env['TEST_LOG_LEVEL'] as LogLevel | undefined) ?? 'silent',
    ...overrides,
    dataDir,
    demo: { enabled: demoSite, port: 0, password: demoPassword, apiKey: demoApiKey },
  });
  let running: RunningServer;
  try {
    running = await startServer(config);
  } catch (error) {
    if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  let closing: Promise<void> | undefined;
  const server: TestServer = {
    ...running,
    baseUrl: `http://127.0.0.1:${running.port}`,
    dataDir,
    close: () =>
      (closing ??= running.close().then(async () => {
        if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
      })),
  };
  try {
    onTestFinished(() => server.close());
  } catch {
    // Not inside a test (a hook): the caller closes the server.
  }
  return server;
}

/**
 * Signs in through the real login form and returns the `Cookie` header value of the
 * session (`oc_session=…`). Throws with the server's answer when the login fails.
 */
export async function signIn(
  server: Pick<TestServer, 'baseUrl'>,
  username: string = TEST_DEMO_USERNAME,
  password: string = TEST_DEMO_PASSWORD,
): Promise<string> {
  const form = await fetch(`${server.baseUrl}/login`);
  const html = await form.text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1];
  const csrfCookie = form.headers
    .getSetCookie()
    .find((c) => c.startsWith('oc_csrf='))
    ?.split(';')[0];
  if (!csrf || !csrfCookie) throw new Error(`login form without a CSRF token: ${form.status}`);
  const response = await fetch(`${server.baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: csrfCookie },
    body: new URLSearchParams({ username, password, csrf, next: '/console' }),
  });
  const session = response.headers
    .getSetCookie()
    .find((c) => c.startsWith('oc_session='))
    ?.split(';')[0];
  if (response.status !== 303 || !session) {
    throw new Error(`sign-in as ${username} failed: HTTP ${response.status}`);
  }
  return session;
}
