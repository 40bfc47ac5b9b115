/**
 * Records real page frames for the load generator into `bench/relay/frames/*.bin`.
 *
 * Run once (frames are committed): `node bench/relay/dev-run.mjs record`. It starts the
 * server (its own process), serves the demo bank site and some of the project's fixture
 * pages and a busy dashboard page of our own (bench/relay/pages/) on other origins with the
 * cobrowse script tag, opens each in real Chromium,
 * starts a session and plays a visitor: pointer movement, typing into forms, scrolling,
 * clicks, a page change, the fixtures' own dynamic steps. A protocol agent joined to the
 * session records every page frame it receives, byte for byte, with its arrival time.
 * The frames are therefore exactly what our visitor engine sends for those pages
 * (compressed above 1 KiB, [FR1]).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { FrameKind, PROTOCOL_VERSION } from '../../src/shared/protocol/index.js';
import { encodeRecording, type RecordedFrame } from './frames.js';
import { framesDir, repoRoot } from './paths.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { fetchViewerTicket } from './tickets.js';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.json': 'application/json',
};

/** Serves `dir` on 127.0.0.1:0; HTML goes through `rewrite` (the script tag). */
async function serveSite(dir: string, rewrite: (html: string) => string): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const file = path.join(dir, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(dir)) {
      response.writeHead(403).end();
      return;
    }
    try {
      let body: Buffer | string = readFileSync(file);
      const type = CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
      if (type.startsWith('text/html')) body = rewrite(body.toString('utf8'));
      response.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A protocol agent that records the page frames of one session. */
class RecordingAgent {
  readonly frames: RecordedFrame[] = [];
  private start = 0;
  readonly closed: Promise<void>;
  private readonly ws: WebSocket;

  constructor(server: ServerProcess, ticket: string, key: string) {
    this.ws = new WebSocket(`${server.wsUrl}/ws/agent`, { origin: server.baseUrl, perMessageDeflate: false });
    this.ws.on('open', () => this.ws.send(JSON.stringify({ type: 'hello', v: PROTOCOL_VERSION, role: 'agent', ticket, key, wait: true })));
    this.ws.on('message', (data, isBinary) => {
      if (!isBinary) return;
      const bytes = Buffer.from(data as Buffer);
      const now = performance.now();
      if (this.frames.length === 0) this.start = now;
      this.frames.push({ atMs: now - this.start, kind: bytes[0] as FrameKind, bytes });
    });
    this.closed = new Promise((resolve) => this.ws.on('close', () => resolve()));
  }

  close(): void {
    this.ws.close();
  }
}

interface VisitorApi {
  addEventListener(name: string, listener: (payload: unknown) => void): void;
  startSession(key: string): void;
  stopSession(): void;
}

async function startSession(page: Page, key: string): Promise<void> {
  await page.waitForFunction(() => 'GLANCE' in window);
  await page.evaluate(
    (k) =>
      new Promise<void>((resolve) => {
        const visitor = (window as unknown as { GLANCE: { Cobrowse: { Visitor: VisitorApi } } }).GLANCE.Cobrowse.Visitor;
        visitor.addEventListener('sessionstart', () => resolve());
        visitor.addEventListener('sessioncontinue', () => resolve());
        visitor.startSession(k);
      }),
    key,
  );
}

async function waitForContinue(page: Page): Promise<void> {
  await page.waitForFunction(() => 'GLANCE' in window);
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const visitor = (window as unknown as { GLANCE: { Cobrowse: { Visitor: VisitorApi } } }).GLANCE.Cobrowse.Visitor;
        visitor.addEventListener('sessioncontinue', () => resolve());
        setTimeout(resolve, 5_000);
      }),
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Moves the pointer along a wavy path, like a person reading and pointing. */
async function wander(page: Page, from: { x: number; y: number }, to: { x: number; y: number }, steps = 40): Promise<void> {
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    await page.mouse.move(from.x + (to.x - from.x) * t + Math.sin(t * 9) * 20, from.y + (to.y - from.y) * t + Math.cos(t * 7) * 15);
    await pause(16);
  }
}

/** A scene: a page and what the visitor does on it after the session started. */
interface Scene {
  name: string;
  url(sites: { demo: string; fixtures: string; pages: string }): string;
  play(page: Page): Promise<void>;
}

const SCENES: Scene[] = [
  {
    // A busy page (bench/relay/pages/live-dashboard.html): it changes by itself three times a
    // second while the visitor reads, points and types.
    name: 'live-dashboard',
    url: ({ pages }) => `${pages}/live-dashboard.html`,
    async play(page) {
      await wander(page, { x: 100, y: 120 }, { x: 700, y: 400 }, 60);
      await pause(3_000);
      await page.click('#note');
      await page.keyboard.type('Your order ships tomorrow morning.', { delay: 100 });
      await wander(page, { x: 1000, y: 300 }, { x: 400, y: 600 }, 60);
      await page.mouse.wheel(0, 300);
      await pause(4_000);
      await page.mouse.wheel(0, -300);
      await wander(page, { x: 400, y: 600 }, { x: 900, y: 150 }, 60);
      await pause(4_000);
    },
  },
  {
    name: 'demo-bank',
    url: ({ demo }) => `${demo}/index.html`,
    async play(page) {
      await wander(page, { x: 100, y: 100 }, { x: 600, y: 420 });
      await page.click('#payee');
      await page.keyboard.type('Jordan Smith', { delay: 110 });
      await wander(page, { x: 600, y: 420 }, { x: 560, y: 500 }, 20);
      await page.click('#account-number');
      await page.keyboard.type('12345678', { delay: 120 });
      await page.click('#amount');
      await page.keyboard.type('125.50', { delay: 130 });
      await page.selectOption('#from', { label: 'Savings' });
      await page.check('input[value="tomorrow"]');
      await page.click('#memo');
      await page.keyboard.type('Rent for March, thanks!', { delay: 90 });
      await page.mouse.wheel(0, 400);
      await pause(400);
      await wander(page, { x: 560, y: 500 }, { x: 420, y: 300 });
      await page.click('#transfer button[type=submit]');
      await pause(800);
      await page.mouse.wheel(0, -400);
      await pause(400);
      // A page change inside the session: the next page continues it with a new keyframe.
      await Promise.all([page.waitForURL(/help\.html/), page.click('nav a[href="/help.html"]')]);
      await waitForContinue(page);
      await wander(page, { x: 200, y: 200 }, { x: 700, y: 500 });
      await page.mouse.wheel(0, 300);
      await pause(1_000);
    },
  },
  {
    name: 'forms',
    url: ({ fixtures }) => `${fixtures}/forms.html?hold`,
    async play(page) {
      await page.evaluate(() => (window as unknown as { __fixtureRun(): void }).__fixtureRun());
      await page.waitForFunction(() => (window as { __fixtureReady?: boolean }).__fixtureReady === true, null, { timeout: 30_000 });
      await wander(page, { x: 50, y: 50 }, { x: 800, y: 600 }, 60);
      const field = page.locator('input[type=text], input:not([type])').first();
      await field.click();
      await page.keyboard.type('Hello from the relay benchmark', { delay: 80 });
      await page.mouse.wheel(0, 600);
      await pause(500);
      await page.mouse.wheel(0, 600);
      await pause(1_000);
    },
  },
  {
    name: 'mutation-burst',
    url: ({ fixtures }) => `${fixtures}/mutation-burst.html?hold`,
    async play(page) {
      await page.evaluate(() => (window as unknown as { __fixtureRun(): void }).__fixtureRun());
      await page.waitForFunction(() => (window as { __fixtureReady?: boolean }).__fixtureReady === true, null, { timeout: 30_000 });
      await wander(page, { x: 300, y: 100 }, { x: 900, y: 700 }, 50);
      await pause(1_000);
    },
  },
  {
    name: 'large-table',
    url: ({ fixtures }) => `${fixtures}/large-table.html`,
    async play(page) {
      await page.waitForFunction(() => (window as { __fixtureReady?: boolean }).__fixtureReady === true, null, { timeout: 30_000 });
      for (let i = 0; i < 6; i++) {
        await page.mouse.wheel(0, 700);
        await pause(300);
      }
      await wander(page, { x: 300, y: 300 }, { x: 1000, y: 200 }, 40);
      await pause(1_000);
    },
  },
];

/** Size summary of a recording, for the console. */
function summarise(name: string, frames: RecordedFrame[]): string {
  const by = (kind: FrameKind) => frames.filter((frame) => frame.kind === kind).map((frame) => frame.bytes.length);
  const describe = (sizes: number[]) => {
    if (sizes.length === 0) return 'none';
    const sorted = [...sizes].sort((a, b) => a - b);
    const sum = sorted.reduce((a, b) => a + b, 0);
    return `${sizes.length} (median ${sorted[sorted.length >> 1]} B, max ${sorted[sorted.length - 1]} B, total ${sum} B)`;
  };
  const duration = (frames[frames.length - 1]?.atMs ?? 0) / 1000;
  const bytes = frames.reduce((sum, frame) => sum + frame.bytes.length, 0);
  return (
    `${name}: ${frames.length} frames over ${duration.toFixed(1)} s, ${((bytes * 8) / 1000 / Math.max(duration, 0.001)).toFixed(1)} kbit/s\n` +
    `  keyframes ${describe(by(FrameKind.Keyframe))}\n  deltas ${describe(by(FrameKind.Delta))}\n  volatile ${describe(by(FrameKind.Volatile))}`
  );
}

/** Records every scene into `frames/<scene>.bin` and prints a summary. */
export async function recordFrames(): Promise<void> {
  const root = repoRoot();
  const server = await startServerProcess();
  let browser: Browser | undefined;
  const sites: Server[] = [];
  try {
    const ticket = await fetchViewerTicket(server.baseUrl, server.username, server.password);
    const tag = `<script id="glance-cobrowse" src="${server.baseUrl}/cobrowse/CobrowseJS.ashx?group=${server.groupId}&site=staging" data-groupid="${server.groupId}" data-site="staging"></script>`;
    const demo = await serveSite(path.join(root, 'demo', 'site'), (html) => html.replace(/\{\{COBROWSE_ORIGIN\}\}/g, server.baseUrl));
    const fixtures = await serveSite(path.join(root, 'test', 'fixtures', 'pages'), (html) => html.replace(/<head>/i, `<head>${tag}`));
    const pages = await serveSite(path.join(root, 'bench', 'relay', 'pages'), (html) => html.replace(/<head>/i, `<head>${tag}`));
    sites.push(demo.server, fixtures.server, pages.server);
    const home = await mkdtemp(path.join(tmpdir(), 'oc-relay-record-'));
    browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: CHROMIUM_ARGS,
      env: { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache') },
    });
    for (const scene of SCENES) {
      const key = `record-${scene.name}`;
      const agent = new RecordingAgent(server, ticket, key);
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(scene.url({ demo: demo.url, fixtures: fixtures.url, pages: pages.url }));
      await startSession(page, key);
      await scene.play(page);
      await pause(500);
      await page.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: VisitorApi } } }).GLANCE.Cobrowse.Visitor.stopSession());
      await Promise.race([agent.closed, pause(5_000)]);
      agent.close();
      await context.close();
      if (agent.frames.length === 0) throw new Error(`scene ${scene.name}: the agent received no frames`);
      writeFileSync(path.join(framesDir(), `${scene.name}.bin`), encodeRecording(agent.frames));
      process.stdout.write(`${summarise(scene.name, agent.frames)}\n`);
    }
  } finally {
    await browser?.close();
    for (const site of sites) site.closeAllConnections();
    await Promise.all(sites.map((site) => new Promise((resolve) => site.close(resolve))));
    await server.stop();
  }
}
