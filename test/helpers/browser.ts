/**
 * Real Chromium for browser tests, and what the mirror tests share: screenshot comparison
 * and the capture-harness page (the visitor page in `<iframe id="src">` at 1280×800, the
 * mirror built below it by `window.OCHarness`, no server in between).
 */
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import pixelmatch from 'pixelmatch';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteHandler } from './static-server.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where Debian installs Chromium; `CHROMIUM_PATH` overrides it. */
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, deterministic headless Chromium (see TOOLING-NOTES.md). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The Chromium executable to drive. Honours `CHROMIUM_PATH`; when `/usr/bin/chromium` is
 * missing and we run as root, installs Debian's package (running `apt-get update` only
 * if the first install fails). Otherwise throws with instructions.
 */
export function chromiumExecutable(): string {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH is set to ${configured}, which does not exist`);
    return configured;
  }
  if (existsSync(DEFAULT_CHROMIUM)) return DEFAULT_CHROMIUM;
  if (process.getuid?.() === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => spawnSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit', env }).status === 0;
    if (!install()) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
      install();
    }
    if (existsSync(DEFAULT_CHROMIUM)) return DEFAULT_CHROMIUM;
  }
  throw new Error('Chromium is needed for browser tests: install it with `apt-get install -y chromium` or set CHROMIUM_PATH');
}

/**
 * Launches headless Chromium with the house flags and its config/cache in a fresh temp
 * directory (removed when the browser closes), so tests never write under `$HOME`.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumExecutable();
  const home = mkdtempSync(path.join(tmpdir(), 'oc-chromium-'));
  const browser = await chromium.launch({
    executablePath,
    args: [...CHROMIUM_ARGS],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache') },
  });
  browser.on('disconnected', () => rmSync(home, { recursive: true, force: true }));
  return browser;
}

/** The result of comparing two screenshots. */
export interface ScreenshotComparison {
  /** Share of pixels that match, in percent (0 when the sizes differ). */
  similarity: number;
  /** The diff image written for a failed comparison, else null. */
  diffFile: string | null;
}

/** Options of `compareScreenshots`. */
export interface CompareOptions {
  /** Base name of the files written on failure. Default `screenshot`. */
  name?: string;
  /** Similarity (percent) below which the comparison failed and images are written. Default 100. */
  minSimilarity?: number;
}

/**
 * Compares two PNG screenshots with pixelmatch (colour threshold 0.1, anti-aliasing
 * ignored as pixelmatch does by default). On failure writes `<name>-diff.png` (plus the
 * two inputs) under `test-results/` so the difference can be looked at.
 */
export function compareScreenshots(a: Buffer, b: Buffer, options: CompareOptions = {}): ScreenshotComparison {
  const name = (options.name ?? 'screenshot').replace(/[^A-Za-z0-9_.-]+/g, '-');
  const minSimilarity = options.minSimilarity ?? 100;
  const first = PNG.sync.read(a);
  const second = PNG.sync.read(b);
  let similarity = 0;
  let diff: PNG | null = null;
  if (first.width === second.width && first.height === second.height) {
    diff = new PNG({ width: first.width, height: first.height });
    const different = pixelmatch(first.data, second.data, diff.data, first.width, first.height, { threshold: 0.1 });
    similarity = 100 * (1 - different / (first.width * first.height));
  }
  if (similarity >= minSimilarity) return { similarity, diffFile: null };
  const dir = path.join(REPO_ROOT, 'test-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}-a.png`), a);
  writeFileSync(path.join(dir, `${name}-b.png`), b);
  const diffFile = path.join(dir, `${name}-diff.png`);
  if (diff) writeFileSync(diffFile, PNG.sync.write(diff));
  return { similarity, diffFile: diff ? diffFile : null };
}

// ---------------------------------------------------------------------------------------------
// The capture-harness page

/** Path of the harness page among the routes of `harnessRoutes()`. */
export const HARNESS_PAGE = '/__oc/harness.html';
/** Path of the capture-harness bundle among the routes of `harnessRoutes()`. */
export const HARNESS_SCRIPT = '/__oc/capture-harness.js';

/** The visitor's viewport in the harness, CSS pixels (the mirror takes the same size). */
export const VIEWPORT = { width: 1280, height: 800 } as const;

/** The bundle built by `node scripts/build.mjs` from `test/harness/capture-harness.ts`. */
export function harnessBundle(): string {
  const file = path.join(REPO_ROOT, 'dist/test/capture-harness.js');
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`node scripts/build.mjs\` first`);
  return readFileSync(file, 'utf8');
}

/**
 * Routes for `serveStatic()`: the harness page (`?src=<url of the visitor page>`) and the
 * harness bundle. The page loads the bundle only when `?bundle=1` (tests that run the
 * recorder inside a cross-origin source frame only need the mirror side… and the bundle).
 */
export function harnessRoutes(): Record<string, RouteHandler> {
  return {
    [HARNESS_PAGE]: (_request, url) => {
      const src = url.searchParams.get('src') ?? 'about:blank';
      const attr = src.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
      return {
        type: 'text/html; charset=utf-8',
        body:
          '<!DOCTYPE html><html><head><meta charset="utf-8"><title>harness</title><link rel="icon" href="data:,">' +
          '<style>html,body{margin:0;background:#fff}#src,#mirror iframe{border:0;display:block}' +
          `#src{width:${VIEWPORT.width}px;height:${VIEWPORT.height}px}</style></head><body>` +
          `<iframe id="src" src="${attr}"></iframe><div id="mirror"></div>` +
          `<script src="${HARNESS_SCRIPT}"></script></body></html>`,
      };
    },
    [HARNESS_SCRIPT]: () => ({ type: 'text/javascript; charset=utf-8', body: harnessBundle() }),
  };
}

/** How long to wait for a fixture to reach a state. */
const FIXTURE_TIMEOUT_MS = 30_000;

/**
 * Opens the harness with the visitor page `sourceUrl` (absolute or server-relative) and
 * waits for the page: `held` waits for a fixture loaded with `?hold` to be ready to run
 * its steps (`window.__fixtureHeld`), `ready` for its final state (`window.__fixtureReady`).
 * Returns the source frame.
 */
export async function openHarness(page: Page, serverUrl: string, sourceUrl: string, wait: 'held' | 'ready' | 'none'): Promise<Frame> {
  await page.setViewportSize({ width: VIEWPORT.width + 20, height: 2 * VIEWPORT.height + 40 });
  await page.goto(`${serverUrl}${HARNESS_PAGE}?src=${encodeURIComponent(sourceUrl)}`);
  const frame = await (await page.waitForSelector('#src')).contentFrame();
  if (!frame) throw new Error(`the source frame for ${sourceUrl} did not load`);
  if (wait === 'held') await frame.waitForFunction(() => (window as { __fixtureHeld?: boolean }).__fixtureHeld === true, null, { timeout: FIXTURE_TIMEOUT_MS });
  if (wait === 'ready') await waitForFixture(frame);
  return frame;
}

/** Waits for `window.__fixtureReady` in a fixture's frame. */
export async function waitForFixture(frame: Frame): Promise<void> {
  await frame.waitForFunction(() => (window as { __fixtureReady?: boolean }).__fixtureReady === true, null, { timeout: FIXTURE_TIMEOUT_MS });
}

/** Starts a held fixture's steps (`window.__fixtureRun()`) and waits for its final state. */
export async function runFixture(frame: Frame): Promise<void> {
  await frame.evaluate(() => (window as unknown as { __fixtureRun(): void }).__fixtureRun());
  await waitForFixture(frame);
}

/**
 * Connects the recorder to the source frame's document and the mirror to `#mirror`
 * (`OCHarness.connect`), and waits for the first keyframe to be applied. The handle is
 * kept as `window.__oc` in the harness page; `maskSelectors` play the group's settings.
 */
export async function connectMirror(page: Page, maskSelectors: readonly string[] = []): Promise<void> {
  await page.evaluate(async (masks) => {
    interface Handle { ready: Promise<void> }
    const w = window as unknown as {
      OCHarness: { connect(doc: Document, container: HTMLElement, masks: string[]): Handle };
      __oc: Handle;
    };
    const source = (document.getElementById('src') as HTMLIFrameElement).contentDocument;
    if (!source) throw new Error('the source frame is not same-origin');
    w.__oc = w.OCHarness.connect(source, document.getElementById('mirror')!, masks);
    await w.__oc.ready;
  }, [...maskSelectors]);
}

/**
 * Waits until the mirror has caught up and finished loading: no payload for `quietMs`
 * (longer than the recorder's canvas poll, 1 s), then every image and font of the mirror's
 * documents loaded. Works for `connectMirror` and for any harness that counts payloads in
 * `window.__ocPayloads`.
 */
export async function settleMirror(page: Page, quietMs = 1_300): Promise<void> {
  await page.evaluate(async (quiet) => {
    const w = window as unknown as { __oc?: { captured: Record<string, string[]> }; __ocPayloads?: number };
    const count = () => {
      if (w.__ocPayloads !== undefined) return w.__ocPayloads;
      const captured = w.__oc?.captured ?? {};
      return Object.values(captured).reduce((sum, list) => sum + list.length, 0);
    };
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let last = count();
    let quietSince = performance.now();
    while (performance.now() - quietSince < quiet) {
      await sleep(100);
      const now = count();
      if (now !== last) {
        last = now;
        quietSince = performance.now();
      }
    }
    const frame = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame');
    const docs: Document[] = [];
    const stack = frame?.contentDocument ? [frame.contentDocument] : [];
    while (stack.length > 0) {
      const doc = stack.pop()!;
      docs.push(doc);
      for (const inner of Array.from(doc.querySelectorAll('iframe'))) if (inner.contentDocument) stack.push(inner.contentDocument);
    }
    const loads: Promise<unknown>[] = [];
    for (const doc of docs) {
      loads.push(doc.fonts.ready);
      for (const img of Array.from(doc.images)) if (!img.complete) loads.push(img.decode().catch(() => undefined));
    }
    await Promise.all(loads);
    // Two frames so that what loaded is also painted.
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  }, quietMs);
}

/** Screenshots of the source frame and of the mirror frame, same size (the visitor's viewport). */
export async function screenshotPair(page: Page): Promise<{ source: Buffer; mirror: Buffer }> {
  // No `caret: 'hide'` or `animations: 'disabled'`: Playwright implements them by editing
  // the page's DOM, which the recorder would faithfully send to the mirror. The fixtures
  // have no animations and no focused text field instead.
  const options = { caret: 'initial', scale: 'css' } as const;
  const source = await page.locator('#src').screenshot(options);
  const mirror = await page.locator('#mirror iframe.oc-mirror-frame').screenshot(options);
  return { source, mirror };
}

/** What `describeDocument` makes of a document: one line per node, in tree order. */
export type TreeDescription = string[];

/**
 * A normalised description of a document's tree (run it in the browser with
 * `page.evaluate`): elements with their attributes and form state, text, comments, shadow
 * roots and same-origin frame documents, one line per node with its depth. It describes
 * what the visitor sees and leaves out what the mirror changes on purpose ([VW2]): scripts
 * and noscript (kept as empty placeholders), `<base>`, stylesheets' elements, event
 * handler and frame source attributes, and the mirror's own marks. Masked elements are
 * one line, `<tag masked>`, without attributes or content: in the page, those matching
 * `maskedSelector`; in the mirror (`maskedSelector` null), those the mirror marked masked.
 *
 * Self-contained: Playwright serialises it into the page.
 */
export function describeDocument(doc: Document, maskedSelector: string | null): TreeDescription {
  const lines: string[] = [];
  const skipAttribute = (name: string) =>
    /^on/i.test(name) || /^data-oc-/.test(name) || ['srcdoc', 'autofocus', 'autoplay', 'nonce', 'integrity', 'ping'].includes(name);
  const walk = (node: Node, depth: number): void => {
    const pad = ' '.repeat(depth);
    if (node.nodeType === 3) {
      lines.push(pad + '#text ' + JSON.stringify((node as Text).data));
      return;
    }
    if (node.nodeType === 8) {
      lines.push(pad + '#comment ' + JSON.stringify((node as Comment).data));
      return;
    }
    if (node.nodeType === 10) {
      lines.push(pad + '#doctype ' + (node as DocumentType).name);
      return;
    }
    if (node.nodeType === 1) {
      const element = node as Element;
      let tag = element.localName;
      if (tag === 'base' || tag === 'link' || tag === 'style') return;
      const masked = maskedSelector === null ? element.hasAttribute('data-oc-masked') : element.matches(maskedSelector);
      if (masked) {
        lines.push(`${pad}<${tag} masked>`);
        return;
      }
      const placeholder = tag === 'script' || tag === 'noscript' || tag === 'template';
      if (placeholder) tag = 'template';
      if (tag === 'canvas') tag = 'img';
      const attributes = Array.from(element.attributes)
        // Sources of images (canvas pixels become a data: URL), frames and plug-ins differ by design.
        .filter((attribute) => !placeholder && !skipAttribute(attribute.name) && !(attribute.name === 'src' && /^(img|iframe|embed)$/.test(tag)))
        .map((attribute) => `${attribute.name}=${JSON.stringify(attribute.value)}`)
        .sort();
      if (tag === 'input' || tag === 'textarea') {
        const field = element as HTMLInputElement;
        attributes.push(`.value=${JSON.stringify(field.value)}`);
        if (field.type === 'checkbox' || field.type === 'radio') attributes.push(`.checked=${field.checked}`, `.indeterminate=${field.indeterminate}`);
      }
      if (tag === 'select') {
        const chosen = Array.from((element as HTMLSelectElement).options).flatMap((option, i) => (option.selected ? [i] : []));
        attributes.push(`.selected=${chosen.join(',')}`);
      }
      lines.push(`${pad}<${tag}${attributes.length ? ' ' + attributes.join(' ') : ''}>`);
      if (placeholder) return;
      if (element.shadowRoot) {
        lines.push(pad + ' #shadow-root');
        for (let child = element.shadowRoot.firstChild; child; child = child.nextSibling) walk(child, depth + 2);
      }
      let inner: Document | null = null;
      try {
        inner = (element as HTMLIFrameElement).contentDocument ?? null;
      } catch {
        inner = null;
      }
      if ((tag === 'iframe' || tag === 'frame') && inner) {
        lines.push(pad + ' #document');
        for (let child = inner.firstChild; child; child = child.nextSibling) walk(child, depth + 2);
      }
    }
    for (let child = node.firstChild; child; child = child.nextSibling) walk(child, depth + 1);
  };
  for (let child = doc.firstChild; child; child = child.nextSibling) walk(child, 0);
  return lines;
}

/** What is always masked ([MK1]); a group's selectors come on top. */
export const BUILT_IN_MASKING = ['[glance_masked="true"]', '.glance_masked', 'input[type="password"]'] as const;

/**
 * The source and mirror documents of the harness, described with `describeDocument`;
 * `maskSelectors` are the group's selectors the recorder was given.
 */
export async function describePair(page: Page, maskSelectors: readonly string[] = []): Promise<{ source: TreeDescription; mirror: TreeDescription }> {
  const describe = describeDocument.toString();
  const masked = [...BUILT_IN_MASKING, ...maskSelectors].join(',');
  return page.evaluate(
    ([code, selector]) => {
      const fn = new Function(`return (${code})`)() as (doc: Document, masked: string | null) => string[];
      const source = (document.getElementById('src') as HTMLIFrameElement).contentDocument!;
      const mirror = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument!;
      return { source: fn(source, selector), mirror: fn(mirror, null) };
    },
    [describe, masked] as const,
  );
}
