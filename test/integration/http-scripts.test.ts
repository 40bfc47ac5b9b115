/**
 * Scripts over real sockets: the Glance script tag URL, its alias, /static bundles.
 * The server is pointed at a fixture bundle directory so these tests check the routing
 * whatever state the real bundles are in.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/start-server.js';

const LOADER = '/* loader bundle */ window.LOADER = 1;\n';
const AGENT_API = '/* agent api bundle */ window.AGENT = 1;\n';

describe('script tag and static bundles', () => {
  let server: TestServer;
  let publicDir: string;

  beforeAll(async () => {
    publicDir = await mkdtemp(path.join(tmpdir(), 'oc-public-'));
    await writeFile(path.join(publicDir, 'loader.js'), LOADER);
    await writeFile(path.join(publicDir, 'agent-api.js'), AGENT_API);
    await writeFile(
      path.join(publicDir, 'visitor.js'),
      '/* visitor */\n//# sourceMappingURL=visitor.js.map\n',
    );
    await writeFile(
      path.join(publicDir, 'visitor.js.map'),
      '{"version":3,"sources":[],"mappings":""}',
    );
    await writeFile(path.join(publicDir, 'viewer.css'), 'body{margin:0}');
    await writeFile(path.join(publicDir, '.secret'), 'hidden');
    await mkdir(path.join(publicDir, 'sub'));
    server = await startTestServer({ publicDir });
  });

  afterAll(async () => {
    await server.close();
    await rm(publicDir, { recursive: true, force: true });
  });

  const get = (url: string) => fetch(`${server.baseUrl}${url}`);

  it('serves the loader for the Glance script tag URL, cross-origin and cacheable', async () => {
    const response = await get('/cobrowse/CobrowseJS.ashx?group=10000&site=staging');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(
      /^(text|application)\/javascript; charset=utf-8$/,
    );
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('etag')).toBeTruthy();
    expect(await response.text()).toBe(LOADER);
  });

  it('serves the agent API for script=Agent, case-sensitively', async () => {
    const agent = await get('/cobrowse/CobrowseJS.ashx?group=10000&site=production&script=Agent');
    expect(agent.status).toBe(200);
    expect(await agent.text()).toBe(AGENT_API);

    const lower = await get('/cobrowse/CobrowseJS.ashx?group=10000&site=production&script=agent');
    expect(lower.status).toBe(400);
    expect(lower.headers.get('content-type')).toMatch(/javascript/);
    const body = await lower.text();
    expect(body).toMatch(
      /^\/\* OpenCobrowse: unknown script= value "agent"\. Use script=Agent \(case-sensitive\)/,
    );
    expect(body.trim().endsWith('*/')).toBe(true);
  });

  it('never lets an unknown script= value break out of the JS comment', async () => {
    const response = await get(
      `/cobrowse/CobrowseJS.ashx?script=${encodeURIComponent('*/alert(1)/*')}`,
    );
    expect(response.status).toBe(400);
    const body = await response.text();
    expect(body).not.toContain('alert');
    expect(body.match(/\*\//g)).toHaveLength(1);
  });

  it('serves the loader under its clean alias', async () => {
    const response = await get('/cobrowse/loader.js');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(LOADER);
  });

  it('revalidates with the ETag (304)', async () => {
    const first = await get('/static/visitor.js');
    const etag = first.headers.get('etag')!;
    // An explicit Cache-Control keeps fetch from adding `no-cache`, which forces a full answer.
    const again = await fetch(`${server.baseUrl}/static/visitor.js`, {
      headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' },
    });
    expect(again.status).toBe(304);
  });

  it('serves bundles, source maps and stylesheets under /static with their content types', async () => {
    const js = await get('/static/visitor.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    const map = await get('/static/visitor.js.map');
    expect(map.status).toBe(200);
    expect(map.headers.get('content-type')).toMatch(/^application\/json/);
    const css = await get('/static/viewer.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('answers 404 for unknown files, dotfiles, directories and paths outside /static', async () => {
    for (const url of [
      '/static/nope.js',
      '/static/.secret',
      '/static/sub',
      '/static/../package.json',
      '/static/%2e%2e/package.json',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
    }
  });

  it('says a bundle is not built (503, a JS comment) instead of failing silently', async () => {
    await rm(path.join(publicDir, 'agent-api.js'));
    const response = await get('/cobrowse/CobrowseJS.ashx?group=10000&site=staging&script=Agent');
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('agent-api.js is not built on this server');
    await writeFile(path.join(publicDir, 'agent-api.js'), AGENT_API);
  });
});
