/**
 * Reliability fuzz (issue 7): a seeded sequence of random DOM mutations, connection drops,
 * reconnects and agent joins/leaves over real sockets, after which every agent's mirror
 * must equal the visitor's page — no change missing, none applied twice.
 *
 * The set-up is production-shaped: a real server, the customer page `fuzz.html` on its own
 * origin carrying the Glance script tag, in real Chromium; the visitor reaches the server
 * through a TCP proxy (to hold and cut its link), the agents' viewer pages
 * (`/agentjoin/AgentView.aspx?SessionKey=…&Wait=1`, signed in) through a front proxy that
 * is the server's public URL (to cut theirs). Sockets are also closed from the server side
 * (the relay's own `PeerSocket.close`) and the visitor's or a viewer's network is switched
 * off with Chromium's network emulation (CDP `Network.emulateNetworkConditions`; the open
 * WebSocket is cut too, as emulation alone does not reliably kill it).
 *
 * Steps (from `seededRandom(seed)`): mutations of the page under `#fuzz-root` (text,
 * attributes, styles, subtree inserts, `innerHTML`, removals, moves, form values with and
 * without events, synchronous bursts of those), short waits, agent joins and leaves, agent
 * drops, and visitor drops during which the page keeps changing. Every few steps the test
 * waits for quiescence and compares each mirror with the page (`describeDocument`: tree,
 * attributes but those the mirror rewrites on purpose, text, form state; masked elements as
 * one line; our visitor UI left out, [CP6]). Around each visitor drop it checks that the
 * Visitor API's `connection` event said `reconnecting` then `ok` ([SS5]) and that viewers
 * showed the visitor away, then live again ([VW5]).
 *
 * Seeds: `FUZZ_SEEDS` random seeds per run (default 6, 40 steps each; six fixed ones under
 * `CI=true`), or exactly the seeds of `FUZZ_SEED=1,2,3`, plus `REGRESSION_SEEDS`, which
 * failed once. The whole file takes
 * under 2 minutes on a busy 2-core machine (1 min 40 s to 2 min measured). Every assertion message names the seed and
 * step: replay a failure with `FUZZ_SEED=<seed> npx vitest run test/browser/reliability-fuzz.test.ts`
 * (the DOM steps are the same on every replay; timings of the network are not). On a
 * failure the two trees and the step log are written to `test-results/fuzz-<seed>-*.txt`.
 * `FUZZ_STEPS` changes the number of steps, `FUZZ_VERBOSE=1` prints the step log.
 */
import { randomInt } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILT_IN_MASKING,
  connectMirror,
  describeDocument,
  describePair,
  harnessRoutes,
  launchBrowser,
  openHarness,
  settleMirror,
  type TreeDescription,
} from '../helpers/browser.js';
import { seededRandom, type SeededRandom } from '../helpers/prng.js';
import { TEST_GROUP_ID, signIn, startTestServer, type TestServer } from '../helpers/start-server.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';
import { serveFuzzSite } from '../fixtures/fuzz/fuzz-site.js';
import { startTcpProxy, type TcpProxy } from '../fixtures/visitor/tcp-proxy.js';
import { startFrontProxy, type FrontProxy } from '../fixtures/viewer/front-proxy.js';
import type { PeerSocket } from '../../src/server/relay/types.js';
import { CloseCode } from '../../src/shared/protocol/close-codes.js';
import { RECONNECT_MIN_UPTIME_MS } from '../../src/visitor/engine/reconnect.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// ---------------------------------------------------------------------------------------------
// Seeds

/**
 * How visitor drops are spread: `round` (now) draws for each round of `ROUND_STEPS` steps
 * whether it has one drop and where; `step` (the first version) drew a 12 % chance at
 * every step. A regression seed keeps the version it failed with, so it replays exactly.
 */
type DropPlan = 'round' | 'step';

/**
 * Seeds that failed once; each runs on every test run (their bugs also have a reduced test
 * under 'bugs the fuzz found' below). A seed only means something with the generator it
 * failed with: a change to the steps or their draws (lists, weights, order of `random`
 * calls) must keep the old behaviour reachable for these seeds, as `DropPlan` does.
 */
const REGRESSION_SEEDS: ReadonlyArray<{ seed: number; drops: DropPlan; steps: number }> = [
  // The mirror showed the first option of a select the page had set to `selectedIndex = -1`
  // (src/agent/mirror/mirror.ts, fixed).
  { seed: 205822001, drops: 'step', steps: 32 },
  // A node moved below a masked element stayed at its old place in the mirror: no Remove was
  // written because it was still connected (src/visitor/capture/mutations.ts, fixed).
  { seed: 1766232003, drops: 'step', steps: 24 },
];

const envList = (name: string): number[] =>
  (process.env[name] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number(s));

const STEPS = Number(process.env['FUZZ_STEPS'] ?? 40);
const DROPS: DropPlan = process.env['FUZZ_DROPS'] === 'step' ? 'step' : 'round';
/**
 * Under `CI=true` (the gate a change must pass to land) the default seeds are fixed ones
 * that passed, so a run fails for the change and not for the seed it drew; everywhere else
 * they are new every run, and a seed that fails joins REGRESSION_SEEDS.
 */
const CI_SEEDS = [606145646, 33486296, 2105920458, 1708810323, 2074863518, 1790156920];
const FUZZ_SEEDS: number[] = envList('FUZZ_SEED').length > 0
  ? envList('FUZZ_SEED')
  : process.env['CI'] && process.env['FUZZ_SEEDS'] === undefined
    ? CI_SEEDS
    : Array.from({ length: Number(process.env['FUZZ_SEEDS'] ?? 6) }, () => randomInt(1, 2 ** 31 - 1));

/** Steps between two convergence checks. */
const ROUND_STEPS = 8;
/** How long a mirror may take to converge once everything is connected. */
const CONVERGE_TIMEOUT_MS = 15_000;
/** How long a reconnect may take (the visitor's backoff starts at 1 s). */
const RECONNECT_TIMEOUT_MS = 25_000;
/**
 * How long a viewer may take to show a cut link when one viewer's network is also emulated
 * offline. Usually at once; but twice, on a loaded machine, no viewer showed it within 25 s
 * (not reproducible alone; cause not found). The viewer's own guarantee is its silence
 * watchdog: a link that hears nothing for 75 s is replaced ([CM4]), so the bound is that.
 */
const OFFLINE_NOTICE_TIMEOUT_MS = 95_000;
/** Chance that a round has a visitor drop. */
const VISITOR_DROP_CHANCE = 0.5;
/** At most this many viewers at once (each is a Chromium page on a 2-core machine). */
const MAX_VIEWERS = 2;

// ---------------------------------------------------------------------------------------------
// Mutations: generated in Node from the seed, applied in the page by `applyMutation`

/** A subtree to insert: a text node or an element. */
type Spec = string | { tag: string; attrs: Array<[string, string]>; children: Spec[] };

/** One mutation; `r…` are uniform numbers the page uses to pick its targets. */
type Mutation =
  | { kind: 'text'; r: number; text: string }
  | { kind: 'attr'; r: number; name: string; value: string | null }
  | { kind: 'style'; r: number; prop: string; value: string }
  | { kind: 'insert'; r: number; r2: number; spec: Spec }
  | { kind: 'html'; r: number; html: string }
  | { kind: 'remove'; r: number }
  | { kind: 'move'; r: number; r2: number; r3: number }
  | { kind: 'form'; r: number; r2: number; value: string; event: boolean }
  | { kind: 'burst'; ops: Mutation[] };

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'ünïcode', '日本語', '🙂', 'a  b', '', 'x', '<b>not html</b>', '&amp;'];
const ATTR_NAMES = ['title', 'data-a', 'data-b', 'class', 'lang', 'aria-label', 'hidden'];
const CLASSES = ['hot', 'cold', 'box', 'hot cold', ''];
const STYLE_PROPS: ReadonlyArray<[string, string[]]> = [
  ['color', ['red', 'blue', 'rgb(1, 2, 3)']],
  ['width', ['10px', '50%', 'auto']],
  ['margin-left', ['0px', '4px', '1em']],
  ['font-weight', ['bold', '400']],
  ['display', ['none', 'block', 'inline-block']],
];
const ELEMENT_TAGS = ['div', 'span', 'p', 'b', 'em', 'ul', 'li', 'section', 'a', 'input', 'textarea', 'select', 'button', 'img'];

const words = (random: SeededRandom): string =>
  Array.from({ length: random.int(1, 3) }, () => random.pick(WORDS)).join(' ');

function attrValue(random: SeededRandom, name: string): string {
  if (name === 'class') return random.pick(CLASSES);
  if (name === 'hidden') return '';
  return words(random);
}

function spec(random: SeededRandom, depth: number): Spec {
  if (depth > 0 && random.chance(0.3)) return words(random);
  const tag = random.pick(ELEMENT_TAGS);
  const attrs: Array<[string, string]> = [];
  if (random.chance(0.5)) {
    const name = random.pick(ATTR_NAMES);
    attrs.push([name, attrValue(random, name)]);
  }
  if (random.chance(0.2)) attrs.push(['style', `color: ${random.pick(['red', 'green'])}`]);
  if (random.chance(0.08)) attrs.push(['class', 'glance_masked']);
  const children: Spec[] = [];
  switch (tag) {
    case 'input':
      attrs.push(['type', random.pick(['text', 'checkbox', 'radio', 'password'])], ['value', random.pick(WORDS)]);
      if (random.chance(0.3)) attrs.push(['checked', '']);
      if (random.chance(0.3)) attrs.push(['name', 'r']);
      break;
    case 'textarea':
      children.push(random.pick(WORDS));
      break;
    case 'select':
      for (let i = random.int(1, 3); i > 0; i--) children.push({ tag: 'option', attrs: [], children: [random.pick(WORDS)] });
      break;
    case 'img':
      attrs.push(['alt', random.pick(WORDS)], ['width', String(random.int(1, 40))]);
      break;
    case 'a':
      attrs.push(['href', random.pick(['#x', 'page.html', 'https://example.com/'])]);
      children.push(words(random));
      break;
    default:
      if (depth < 3) for (let i = random.int(0, 3); i > 0; i--) children.push(spec(random, depth + 1));
  }
  return { tag, attrs, children };
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function specHtml(node: Spec): string {
  if (typeof node === 'string') return escapeHtml(node);
  const attrs = node.attrs.map(([name, value]) => ` ${name}="${escapeHtml(value)}"`).join('');
  if (node.tag === 'input' || node.tag === 'img') return `<${node.tag}${attrs}>`;
  return `<${node.tag}${attrs}>${node.children.map(specHtml).join('')}</${node.tag}>`;
}

function mutation(random: SeededRandom, allowBurst = true): Mutation {
  const kind = random.weighted({ text: 14, attr: 12, style: 8, insert: 14, html: 4, remove: 10, move: 10, form: 14, burst: allowBurst ? 8 : 0 });
  const r = random.next();
  switch (kind) {
    case 'text':
      return { kind, r, text: words(random) };
    case 'attr': {
      const name = random.pick(ATTR_NAMES);
      return { kind, r, name, value: random.chance(0.25) ? null : attrValue(random, name) };
    }
    case 'style': {
      const [prop, values] = random.pick(STYLE_PROPS);
      return { kind, r, prop, value: random.pick(values) };
    }
    case 'insert':
      return { kind, r, r2: random.next(), spec: spec(random, 0) };
    case 'html':
      return { kind, r, html: Array.from({ length: random.int(1, 3) }, () => specHtml(spec(random, 1))).join('') };
    case 'remove':
      return { kind, r };
    case 'move':
      return { kind, r, r2: random.next(), r3: random.next() };
    case 'form':
      return { kind, r, r2: random.next(), value: random.pick(WORDS), event: random.chance(0.5) };
    case 'burst':
      return { kind, ops: Array.from({ length: random.int(2, 6) }, () => mutation(random, false)) };
  }
}

/**
 * Applies a mutation to the page under `#fuzz-root`; returns a line for the step log.
 * Self-contained: Playwright serialises it into the page.
 */
function applyMutation(op: Mutation): string {
  const root = document.getElementById('fuzz-root')!;
  const VOID = new Set(['input', 'textarea', 'select', 'option', 'img', 'br', 'hr']);
  const at = <T,>(list: T[], r: number): T | undefined => list[Math.floor(r * list.length)];
  const all = (): Element[] => Array.from(root.querySelectorAll('*'));
  const label = (el: Element): string => `${el.localName}${el.id ? '#' + el.id : ''}[${all().indexOf(el)}]`;
  const build = (node: Spec): Node => {
    if (typeof node === 'string') return document.createTextNode(node);
    const el = document.createElement(node.tag);
    for (const [name, value] of node.attrs) el.setAttribute(name, value);
    for (const child of node.children) el.appendChild(build(child));
    return el;
  };
  const apply = (m: Mutation): string => {
    switch (m.kind) {
      case 'text': {
        const texts: Text[] = [];
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          // A textarea's text is its default value: not what this step is about.
          if ((n.parentNode as Element | null)?.localName !== 'textarea') texts.push(n as Text);
        }
        const text = at(texts, m.r);
        if (!text) return 'text: none';
        text.data = m.text;
        return `text ${label(text.parentElement!)} = ${JSON.stringify(m.text)}`;
      }
      case 'attr': {
        // Never unmask an element nor change a field's type: masking is not under test here.
        const el = at(all(), m.r);
        if (!el) return 'attr: none';
        if (m.name === 'class' && el.classList.contains('glance_masked')) return `attr ${label(el)}: masked, skipped`;
        if (m.value === null) el.removeAttribute(m.name);
        else el.setAttribute(m.name, m.value);
        return `attr ${label(el)} ${m.name}=${JSON.stringify(m.value)}`;
      }
      case 'style': {
        const el = at(all(), m.r) as HTMLElement | undefined;
        if (!el) return 'style: none';
        el.style.setProperty(m.prop, m.value);
        return `style ${label(el)} ${m.prop}: ${m.value}`;
      }
      case 'insert': {
        const parents = [root, ...all().filter((el) => !VOID.has(el.localName))];
        const parent = at(parents, m.r)!;
        const before = at(Array.from(parent.childNodes), m.r2) ?? null;
        parent.insertBefore(build(m.spec), before);
        return `insert into ${parent === root ? 'root' : label(parent)}`;
      }
      case 'html': {
        const targets = all().filter((el) => !VOID.has(el.localName));
        const el = at(targets, m.r);
        if (!el) return 'html: none';
        el.innerHTML = m.html;
        return `html ${label(el)}`;
      }
      case 'remove': {
        const list = all();
        if (list.length < 12) return 'remove: too few elements';
        const el = at(list, m.r)!;
        const text = label(el);
        el.remove();
        return `remove ${text}`;
      }
      case 'move': {
        const el = at(all(), m.r);
        if (!el) return 'move: none';
        const parents = [root, ...all().filter((p) => !VOID.has(p.localName) && p !== el && !el.contains(p))];
        const parent = at(parents, m.r2)!;
        const before = at(Array.from(parent.childNodes).filter((n) => n !== el), m.r3) ?? null;
        const text = label(el);
        parent.insertBefore(el, before);
        return `move ${text} into ${parent === root ? 'root' : label(parent)}`;
      }
      case 'form': {
        const fields = all().filter((el) => ['input', 'textarea', 'select'].includes(el.localName));
        const field = at(fields, m.r) as HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement | undefined;
        if (!field) return 'form: none';
        let what: string;
        if (field instanceof HTMLSelectElement) {
          field.selectedIndex = Math.floor(m.r2 * (field.options.length + 1)) - 1;
          what = `selectedIndex=${field.selectedIndex}`;
        } else if (field instanceof HTMLInputElement && (field.type === 'checkbox' || field.type === 'radio')) {
          field.checked = m.r2 < 0.5 ? !field.checked : true;
          what = `checked=${field.checked}`;
        } else {
          field.value = m.value;
          what = `value=${JSON.stringify(m.value)}`;
        }
        if (m.event) field.dispatchEvent(new Event(field instanceof HTMLSelectElement ? 'change' : 'input', { bubbles: true }));
        return `form ${label(field)} ${what}${m.event ? ' +event' : ''}`;
      }
      case 'burst':
        return `burst [${m.ops.map(apply).join('; ')}]`;
    }
  };
  return apply(op);
}

// ---------------------------------------------------------------------------------------------
// The world of one run

let browser: Browser;
let server: TestServer;
let front: FrontProxy;
let agentContext: BrowserContext;

/** Sockets the relay accepted, so a test can close them from the server side. */
const peers: Array<{ role: 'visitor' | 'agent'; peer: PeerSocket; open: boolean }> = [];

beforeAll(async () => {
  front = await startFrontProxy();
  // The front proxy is the server's public address: viewer pages and their sockets pass it.
  server = await startTestServer({ publicUrl: front.url });
  front.setTarget(server.baseUrl);
  const relay = server.relay;
  for (const role of ['visitor', 'agent'] as const) {
    const method = role === 'visitor' ? 'acceptVisitor' : 'acceptAgent';
    const accept = relay[method].bind(relay);
    relay[method] = (peer, info) => {
      const entry = { role, peer, open: true };
      peers.push(entry);
      const connection = accept(peer, info);
      return {
        receive: (data, isBinary) => connection.receive(data, isBinary),
        closed: (code) => {
          entry.open = false;
          connection.closed(code);
        },
      };
    };
  }
  browser = await launchBrowser();
  agentContext = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const cookie = (await signIn(server)).split('=');
  await agentContext.addCookies([{ name: cookie[0]!, value: cookie.slice(1).join('='), url: front.url }]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await front?.close();
});

interface Viewer {
  name: string;
  page: Page;
  cdp: CDPSession | null;
  /** `link|session` of `#oc-viewer`, every change. */
  states: string[];
  errors: string[];
}

type EventLog = Array<{ name: string; payload: Record<string, unknown> }>;

/** What every mirror is compared with: the visitor page without our UI ([CP6]). */
async function describeVisitor(page: Page): Promise<TreeDescription> {
  const lines = await page.evaluate(
    ([code, masked]) => (new Function(`return (${code})`)() as typeof describeDocument)(document, masked),
    [describeDocument.toString(), BUILT_IN_MASKING.join(',')] as const,
  );
  const out: string[] = [];
  let skipDepth = -1;
  for (const line of lines) {
    const depth = line.length - line.trimStart().length;
    if (skipDepth >= 0 && depth > skipDepth) continue;
    skipDepth = -1;
    if (line.trimStart().startsWith('<opencobrowse-ui')) {
      skipDepth = depth;
      continue;
    }
    out.push(line);
  }
  return out;
}

async function describeMirror(viewer: Page): Promise<TreeDescription | null> {
  return viewer.evaluate((code) => {
    const doc = document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame')?.contentDocument;
    return doc ? (new Function(`return (${code})`)() as typeof describeDocument)(doc, null) : null;
  }, describeDocument.toString());
}

/** Lines of `a` and `b` that differ, for a readable failure. */
function firstDifference(a: TreeDescription, b: TreeDescription): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `line ${i}: visitor ${JSON.stringify(a[i])} vs mirror ${JSON.stringify(b[i])}`;
  }
  return 'none';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One seeded run: the whole scenario for `seed`. */
async function runSeed(seed: number, drops: DropPlan = 'round', steps = STEPS): Promise<void> {
  const random = seededRandom(seed);
  const key = `fuzz-${seed}`;
  const log: string[] = [];
  const started = Date.now();
  const push = log.push.bind(log);
  log.push = (...lines: string[]) => push(...lines.map((line) => `${line} (+${Date.now() - started} ms)`));
  let step = 0;
  const where = () => `seed ${seed} step ${step} (replay: FUZZ_SEED=${seed}${drops === 'round' ? '' : ' FUZZ_DROPS=' + drops}${steps === STEPS ? '' : ' FUZZ_STEPS=' + steps}); last steps:\n  ${log.slice(-12).join('\n  ')}`;

  const proxy: TcpProxy = await startTcpProxy(server.baseUrl);
  const site: StaticServer = await serveFuzzSite(proxy.url, TEST_GROUP_ID);
  const visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const viewers: Viewer[] = [];
  let viewerCount = 0;
  try {
    const visitor = await visitorContext.newPage();
    const visitorCdp = await visitorContext.newCDPSession(visitor);
    await visitorCdp.send('Network.enable');
    const pageErrors: string[] = [];
    visitor.on('pageerror', (error) => pageErrors.push(error.message));
    await visitor.goto(`${site.url}/fuzz.html`);

    const setOffline = (cdp: CDPSession, offline: boolean) =>
      cdp.send('Network.emulateNetworkConditions', { offline, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    const connectionEvents = async (): Promise<string[]> =>
      (await visitor.evaluate(() => (window as unknown as { __events: EventLog }).__events))
        .filter((e) => e.name === 'connection')
        .map((e) => String(e.payload['status']));

    // -- agents ------------------------------------------------------------------------------
    const liveAgentPeers = () => peers.filter((p) => p.role === 'agent' && p.open);
    const join = async (): Promise<void> => {
      const name = `viewer${++viewerCount}`;
      const page = await agentContext.newPage();
      const viewer: Viewer = { name, page, cdp: null, states: [], errors: [] };
      page.on('pageerror', (error) => viewer.errors.push(error.message));
      await page.exposeFunction('__fuzzState', (state: string) => viewer.states.push(state));
      await page.goto(`${front.url}/agentjoin/AgentView.aspx?SessionKey=${key}&Wait=1`);
      expect(new URL(page.url()).pathname, `${where()}: the viewer page did not open`).toBe('/agentjoin/AgentView.aspx');
      await page.waitForSelector('#oc-viewer[data-session]');
      await page.evaluate(() => {
        const root = document.getElementById('oc-viewer')!;
        const record = () => (window as unknown as { __fuzzState(s: string): void }).__fuzzState(`${root.dataset['link']}|${root.dataset['session']}`);
        record();
        new MutationObserver(record).observe(root, { attributes: true, attributeFilter: ['data-link', 'data-session'] });
      });
      viewers.push(viewer);
      log.push(`${step}: join ${name}`);
    };
    const leave = async (viewer: Viewer): Promise<void> => {
      viewers.splice(viewers.indexOf(viewer), 1);
      expect(viewer.errors, `${where()}: script errors in ${viewer.name}`).toEqual([]);
      await viewer.page.close();
      // The server sees the socket go (so a later server-side close hits a viewer still here).
      await expect.poll(() => liveAgentPeers().length <= viewers.length, { timeout: RECONNECT_TIMEOUT_MS }).toBe(true);
      log.push(`${step}: leave ${viewer.name}`);
    };

    /** Drops agents' connections one of three ways; returns what to undo afterwards. */
    const dropAgents = async (): Promise<(() => Promise<void>) | null> => {
      if (viewers.length === 0) return null;
      const how = random.pick(['server-close', 'cut', 'offline'] as const);
      // Viewers linked now; a drop must show on at least one of them (all of them for a cut).
      const linked = viewers.filter((v) => v.states.at(-1)?.startsWith('open|')).map((v) => ({ viewer: v, from: v.states.length }));
      const noticed = async (all: boolean, timeout = RECONNECT_TIMEOUT_MS) => {
        if (linked.length === 0) return;
        const lost = (entry: (typeof linked)[number]) => entry.viewer.states.slice(entry.from).some((s) => !s.startsWith('open|'));
        const seen = () => linked.map((entry) => `${entry.viewer.name}: ${entry.viewer.states.slice(entry.from).join(' → ') || 'no change'}`).join('; ');
        await expect
          .poll(() => (all ? linked.every(lost) : linked.some(lost)), { timeout, message: `${where()}: a viewer did not show the lost connection (${seen()})` })
          .toBe(true);
      };
      if (how === 'server-close') {
        const live = liveAgentPeers();
        if (live.length === 0) return null;
        random.pick(live).peer.close(CloseCode.InternalError, 'fuzz: closed by the server');
        log.push(`${step}: agent socket closed by the server`);
        await noticed(false);
        return null;
      }
      if (how === 'cut') {
        front.cut();
        log.push(`${step}: agents' links cut`);
        await noticed(true);
        return null;
      }
      const viewer = random.pick(viewers);
      viewer.cdp ??= await agentContext.newCDPSession(viewer.page);
      await viewer.cdp.send('Network.enable');
      await setOffline(viewer.cdp, true);
      front.cut();
      log.push(`${step}: ${viewer.name} offline (links cut)`);
      await noticed(true, OFFLINE_NOTICE_TIMEOUT_MS);
      return async () => {
        if (!viewers.includes(viewer)) return;
        await setOffline(viewer.cdp!, false);
        log.push(`${step}: ${viewer.name} online`);
      };
    };

    // -- plain steps (no visitor drop) -------------------------------------------------------
    const plainStep = async (inDrop: boolean): Promise<(() => Promise<void>) | null> => {
      const kind = random.weighted({
        mutate: 60,
        wait: 8,
        join: viewers.length < MAX_VIEWERS ? 9 : 0,
        leave: viewers.length > 0 ? 4 : 0,
        agentDrop: !inDrop && viewers.length > 0 ? 6 : 0,
      });
      switch (kind) {
        case 'mutate': {
          const line = await visitor.evaluate(applyMutation, mutation(random));
          log.push(`${step}: ${line}`);
          return null;
        }
        case 'wait': {
          const ms = random.int(0, 400);
          await sleep(ms);
          log.push(`${step}: wait ${ms} ms`);
          return null;
        }
        case 'join':
          await join();
          return null;
        case 'leave':
          await leave(random.pick(viewers));
          return null;
        case 'agentDrop':
          return dropAgents();
      }
    };

    // -- visitor drops -----------------------------------------------------------------------
    /** When the visitor's link last came back (0: it never dropped, the budget is whole). */
    let visitorUpSince = 0;
    const visitorDrop = async (): Promise<void> => {
      const how = random.pick(['offline', 'hold', 'server-close', 'cut'] as const);
      // The engine's retry budget starts again once a connection stayed up 5 s
      // (RECONNECT_MIN_UPTIME_MS); drops closer together would wait out a growing backoff.
      // Not for a network that goes off: its `online` event hurries the retry anyway.
      if (how !== 'offline') await sleep(Math.max(0, RECONNECT_MIN_UPTIME_MS + 200 - (Date.now() - visitorUpSince)));
      const before = await connectionEvents();
      // Viewers linked now should see the visitor go away and come back ([VW5]).
      const watching = viewers.filter((v) => v.states.at(-1) === 'open|live').map((v) => ({ viewer: v, from: v.states.length }));
      log.push(`${step}: visitor drop (${how})`);
      const inner = async (count: number) => {
        for (let i = 0; i < count; i++) await plainStep(true);
      };
      switch (how) {
        case 'offline':
          await setOffline(visitorCdp, true);
          proxy.cut();
          await inner(random.int(1, 4));
          await setOffline(visitorCdp, false);
          break;
        case 'hold':
          // What the page sends now leaves the browser and is lost on the way.
          proxy.hold();
          await inner(random.int(1, 3));
          await sleep(50);
          proxy.cut();
          await inner(random.int(0, 2));
          break;
        case 'server-close': {
          const live = peers.filter((p) => p.role === 'visitor' && p.open);
          expect(live, `${where()}: the visitor has no open socket`).toHaveLength(1);
          live[0]!.peer.close(CloseCode.InternalError, 'fuzz: closed by the server');
          await inner(random.int(1, 4));
          break;
        }
        case 'cut':
          proxy.cut();
          await inner(random.int(1, 4));
          break;
      }
      log.push(`${step}: visitor drop (${how}) over, waiting for the reconnect`);
      await visitor
        .waitForFunction(
          (n) => (window as unknown as { __events: EventLog }).__events.filter((e) => e.name === 'connection').length >= n,
          before.length + 2,
          { timeout: RECONNECT_TIMEOUT_MS },
        )
        .catch(() => undefined);
      visitorUpSince = Date.now();
      const after = (await connectionEvents()).slice(before.length);
      expect(after, `${where()}: connection events around the drop`).toEqual(['reconnecting', 'ok']);
      for (const { viewer, from } of watching) {
        if (!viewers.includes(viewer)) continue;
        await expect
          .poll(() => viewer.states.slice(from), { timeout: RECONNECT_TIMEOUT_MS, message: `${where()}: ${viewer.name} states` })
          .toEqual(expect.arrayContaining(['open|away']));
      }
    };

    // -- convergence ------------------------------------------------------------------------
    const check = async (): Promise<void> => {
      if (viewers.length === 0) await join();
      for (const viewer of viewers) {
        await viewer.page
          .waitForFunction(
            () => {
              const root = document.getElementById('oc-viewer');
              return root?.dataset['link'] === 'open' && root.dataset['session'] === 'live';
            },
            null,
            { timeout: RECONNECT_TIMEOUT_MS },
          )
          .catch(() => undefined);
        const state = await viewer.page.evaluate(() => {
          const root = document.getElementById('oc-viewer')!;
          return `${root.dataset['link']}|${root.dataset['session']}`;
        });
        expect(state, `${where()}: ${viewer.name} is not live`).toBe('open|live');
      }
      const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
      for (;;) {
        const expected = await describeVisitor(visitor);
        const mirrors = await Promise.all(viewers.map((v) => describeMirror(v.page)));
        const differing = mirrors.findIndex((m) => m === null || m.join('\n') !== expected.join('\n'));
        if (differing < 0) break;
        if (Date.now() > deadline) {
          const mirror = mirrors[differing] ?? [];
          // The whole trees, to look at: test-results/fuzz-<seed>-{visitor,mirror}.txt.
          const dir = path.join(REPO_ROOT, 'test-results');
          mkdirSync(dir, { recursive: true });
          writeFileSync(path.join(dir, `fuzz-${seed}-visitor.txt`), expected.join('\n') + '\n');
          writeFileSync(path.join(dir, `fuzz-${seed}-mirror.txt`), mirror.join('\n') + '\n');
          writeFileSync(path.join(dir, `fuzz-${seed}-steps.txt`), log.join('\n') + '\n');
          expect(mirror, `${where()}: ${viewers[differing]!.name}'s mirror did not converge: ${firstDifference(expected, mirror)}`).toEqual(expected);
        }
        await sleep(200);
      }
      log.push(`${step}: converged (${viewers.map((v) => v.name).join(', ')}; ${(await describeVisitor(visitor)).length} lines)`);
    };

    // -- the run ----------------------------------------------------------------------------
    // Sometimes an agent waits for the session before the visitor starts it ([JN2]).
    if (random.chance(0.3)) await join();
    await visitor.evaluate((k) => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { startSession(k: string): void } } } }).GLANCE.Cobrowse.Visitor.startSession(k), key);
    await visitor.waitForFunction(() => (window as unknown as { __events: EventLog }).__events.some((e) => e.name === 'sessionstart'), null, { timeout: 20_000 });
    log.push(`0: session ${key} started`);

    const undo: Array<() => Promise<void>> = [];
    // At most one visitor drop per round: the engine's backoff grows with drops less than
    // 5 s apart (RECONNECT_MIN_UPTIME_MS), and every reconnect waits for it.
    let dropAt = 0;
    for (step = 1; step <= steps; step++) {
      if (drops === 'round' && step % ROUND_STEPS === 1) dropAt = random.chance(VISITOR_DROP_CHANCE) ? step + random.int(0, ROUND_STEPS - 1) : 0;
      if (drops === 'round' ? step === dropAt : random.chance(0.12)) await visitorDrop();
      else {
        const later = await plainStep(false);
        if (later) undo.push(later);
      }
      // Networks switched off come back after a few steps.
      if (undo.length > 0 && random.chance(0.4)) await undo.shift()!();
      if (step % ROUND_STEPS === 0 || step === steps) {
        for (const restore of undo.splice(0)) await restore();
        await check();
      }
    }
    expect(pageErrors, `${where()}: script errors in the visitor page`).toEqual([]);
    for (const viewer of viewers) expect(viewer.errors, `${where()}: script errors in ${viewer.name}`).toEqual([]);
    await visitor.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { Visitor: { stopSession(): void } } } }).GLANCE.Cobrowse.Visitor.stopSession());
    if (process.env['FUZZ_VERBOSE']) console.log(`seed ${seed}:\n  ${log.join('\n  ')}`);
  } finally {
    for (const viewer of viewers.splice(0)) await viewer.page.close().catch(() => undefined);
    await visitorContext.close();
    await site.close();
    await proxy.close();
  }
}

describe('reliability fuzz: mirrors converge through mutations, drops, reconnects and agent joins', () => {
  it.each(FUZZ_SEEDS)('[SS5][JN4] random seed %i', (seed) => runSeed(seed, DROPS), 240_000);
  if (REGRESSION_SEEDS.length > 0) {
    it.each(REGRESSION_SEEDS)('[SS5][JN4] regression seed $seed ($steps steps, drops per $drops)', ({ seed, drops, steps }) => runSeed(seed, drops, steps), 240_000);
  }
});

/**
 * The bugs the fuzz found, each reduced to its smallest case in the capture harness
 * (recorder and mirror in one page, no server): fast, and precise about the cause.
 */
describe('bugs the fuzz found', () => {
  const describePage = async (run: () => void) => {
    const statics = await serveStatic(path.join(REPO_ROOT, 'test/fixtures/fuzz'), harnessRoutes());
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const frame = await openHarness(page, statics.url, '/regressions.html', 'ready');
      await connectMirror(page);
      await frame.evaluate(run);
      await settleMirror(page, 300);
      return await describePair(page);
    } finally {
      await context.close();
      await statics.close();
    }
  };

  it('[PS6] a select with no option selected (selectedIndex -1) shows none in the mirror, in the keyframe and in a delta', async () => {
    const { source, mirror } = await describePage(() => {
      (document.getElementById('later') as HTMLSelectElement).selectedIndex = -1;
    });
    expect(source.filter((line) => line.includes('<select'))).toEqual([
      '  <select id="none" .selected=>',
      '  <select id="later" .selected=>',
    ]);
    expect(mirror).toEqual(source);
  });

  it('[MK5] a node moved below a masked element leaves the mirror, and comes back once when it moves out again', async () => {
    const { source, mirror } = await describePage(() => {
      const doc = document;
      const mask = doc.getElementById('mask')!;
      // Into the masked element, and into a masked subtree created in the same batch.
      mask.appendChild(doc.getElementById('mover')!);
      const box = doc.createElement('div');
      box.className = 'glance_masked';
      box.appendChild(doc.getElementById('mover2')!);
      doc.body.appendChild(box);
      // Out of the masked element, in a later batch.
      setTimeout(() => doc.getElementById('visible')!.appendChild(doc.getElementById('deep')!), 100);
    });
    expect(source.join('\n')).not.toContain('I move');
    expect(source.join('\n')).toContain('masked');
    expect(mirror).toEqual(source);
  });
});
