/**
 * Hostile content never runs in the mirror ([CP4], [VW1], [VW2], [VW4]), on hostile.html.
 *
 * Every vector of the page, if it runs, calls `top.__xss(id)` or, when that throws, posts
 * `'__xss:' + id` to top. The page is served from a second origin, so in the visitor's
 * frame `top.__xss` always throws and its own (intended) hits arrive as messages from that
 * frame. The recorder runs inside that frame, as on a customer site, and sends its payloads
 * to the harness window by postMessage, where the mirror is built. The mirror's document is
 * same-origin with the harness: a vector running there would call `top.__xss` directly, or
 * post from a window outside the visitor's frame. Both are recorded and must stay empty,
 * after load and after every vector in the mirror was hovered, clicked and focused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { harnessBundle, harnessRoutes, openHarness, runFixture, settleMirror, launchBrowser } from '../helpers/browser.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/pages');

interface HostileEntry {
  page: string;
  vectors: Record<string, 'auto' | 'click' | 'hover' | 'focus' | 'inspect'>;
}
const index = JSON.parse(readFileSync(path.join(FIXTURES, 'index.json'), 'utf8')) as { pages: Array<{ page: string }> };
const entry = index.pages.find((candidate) => candidate.page === 'hostile.html') as HostileEntry;
const AUTO_VECTORS = Object.entries(entry.vectors)
  .filter(([, trigger]) => trigger === 'auto')
  .map(([id]) => id)
  .sort();

interface Hit {
  id: string;
  /** `call`: a direct top.__xss call; `source`: a message from the visitor's frame; `other`: any other message. */
  from: 'call' | 'source' | 'other';
}

/** Installed in the harness (top) window before anything loads: records every report. */
function recordXss(): void {
  if (window !== window.top) return;
  const w = window as unknown as { __xssHits: Hit[]; __xss(id: string): void };
  w.__xssHits = [];
  w.__xss = (id) => w.__xssHits.push({ id: String(id), from: 'call' });
  window.addEventListener('message', (event) => {
    if (typeof event.data !== 'string' || !event.data.startsWith('__xss:')) return;
    const visitor = (document.getElementById('src') as HTMLIFrameElement | null)?.contentWindow;
    let from: Hit['from'] = 'other';
    // Walk up from the sender: a frame nested in the visitor's page is the visitor's too.
    for (let sender = event.source as Window | null; sender; sender = sender === sender.parent ? null : sender.parent) {
      if (sender === visitor) {
        from = 'source';
        break;
      }
    }
    w.__xssHits.push({ id: event.data.slice(6), from });
  });
}

let browser: Browser;
let harness: StaticServer;
let visitorSite: StaticServer;
let context: BrowserContext;
let page: Page;
let source: Frame;
const popups: string[] = [];

async function hits(): Promise<Hit[]> {
  return page.evaluate(() => (window as unknown as { __xssHits: Hit[] }).__xssHits);
}

function mirrorHits(list: Hit[]): string[] {
  return list.filter((hit) => hit.from !== 'source').map((hit) => `${hit.id} (${hit.from})`);
}

beforeAll(async () => {
  browser = await launchBrowser();
  harness = await serveStatic(FIXTURES, harnessRoutes());
  visitorSite = await serveStatic(FIXTURES); // another port: another origin
  context = await browser.newContext();
  page = await context.newPage();
  // Registered after our own page exists: every page from now on is a popup.
  context.on('page', (opened) => popups.push(opened.url()));
  await page.addInitScript(recordXss);
  source = await openHarness(page, harness.url, `${visitorSite.url}/${entry.page}?hold`, 'held');

  // The mirror in the harness window, fed by postMessage from the visitor's frame.
  await page.evaluate(() => {
    interface MirrorLike {
      applyKeyframe(tokens: unknown[]): void;
      applyDelta(tokens: unknown[]): void;
    }
    const w = window as unknown as {
      OCHarness: { Mirror: new (container: HTMLElement, events: { error(e: unknown): void }) => MirrorLike };
      __ocPayloads: number;
    };
    const mirror = new w.OCHarness.Mirror(document.getElementById('mirror')!, { error: (e) => console.error('mirror error', e) });
    const visitor = (document.getElementById('src') as HTMLIFrameElement).contentWindow;
    let pending = '';
    w.__ocPayloads = 0;
    window.addEventListener('message', (event) => {
      const data = event.data as { oc?: string; text: string; last?: boolean } | null;
      if (event.source !== visitor || !data || typeof data !== 'object' || !data.oc) return;
      w.__ocPayloads++;
      if (data.oc === 'keyframe') {
        pending += data.text;
        if (data.last) {
          mirror.applyKeyframe(JSON.parse(pending) as unknown[]);
          pending = '';
        }
      } else {
        mirror.applyDelta(JSON.parse(data.text) as unknown[]);
      }
    });
  });
  // The recorder inside the visitor's page, as the visitor engine runs on a customer site.
  await source.addScriptTag({ content: harnessBundle() });
  await source.evaluate(() => {
    interface RecorderLike {
      start(): Promise<void>;
    }
    const w = window as unknown as {
      OCHarness: { Recorder: new (options: unknown) => RecorderLike };
    };
    const post = (message: unknown) => parent.postMessage(message, '*');
    const recorder = new w.OCHarness.Recorder({
      document,
      masking: { selectors: [] },
      sink: {
        keyframePiece: (text: string, last: boolean) => post({ oc: 'keyframe', text, last }),
        delta: (text: string) => post({ oc: 'delta', text }),
        volatile: (text: string) => post({ oc: 'volatile', text }),
      },
      report: (error: unknown) => console.error('capture error', error),
    });
    return recorder.start();
  });
  await runFixture(source);
  await page.waitForSelector('#mirror iframe.oc-mirror-frame');
  await settleMirror(page);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await harness?.close();
  await visitorSite?.close();
});

describe('hostile content (hostile.html) in the mirror', () => {
  it('the page is hostile for real: in the visitor frame every "auto" vector ran', async () => {
    const ran = new Set((await hits()).filter((hit) => hit.from === 'source').map((hit) => hit.id));
    expect(AUTO_VECTORS.filter((id) => !ran.has(id))).toEqual([]);
  });

  it('[VW1] the mirror iframe is sandboxed with allow-same-origin and never allow-scripts', async () => {
    const sandbox = await page.evaluate(() => document.querySelector('#mirror iframe.oc-mirror-frame')!.getAttribute('sandbox'));
    expect(sandbox?.split(/\s+/).sort()).toEqual(['allow-same-origin']);
  });

  it('[CP4][VW2] no vector runs in the mirror once it is built', async () => {
    expect(mirrorHits(await hits())).toEqual([]);
  });

  it('[VW2] the mirror DOM holds nothing executable: no script, handler, javascript: URL, srcdoc, meta refresh, plug-in source or script in CSS', async () => {
    const found = await page.evaluate(() => {
      const problems: string[] = [];
      // The URL parser ignores ASCII whitespace and control characters in a scheme: so do we.
      // eslint-disable-next-line no-control-regex
      const scriptUrl = (value: string) => /^(javascript|vbscript|livescript):/i.test(value.replace(/[\u0000-\u0020\u007f-\u009f]/g, ''));
      const scriptCss = /javascript:|vbscript:|expression\s*\(|-moz-binding|behavior\s*:/i;
      const visit = (root: Document | ShadowRoot | DocumentFragment, where: string) => {
        for (const element of Array.from(root.querySelectorAll('*'))) {
          const tag = element.localName;
          if (tag === 'script' || tag === 'noscript') problems.push(`${where}: <${tag}>`);
          if (tag === 'meta' && /refresh/i.test(element.getAttribute('http-equiv') ?? '')) problems.push(`${where}: meta refresh`);
          if (tag === 'base' && element.hasAttribute('target')) problems.push(`${where}: base target`);
          if ((tag === 'object' && element.hasAttribute('data')) || (tag === 'embed' && element.hasAttribute('src'))) problems.push(`${where}: <${tag}> source`);
          if (tag === 'iframe' && element.hasAttribute('src')) problems.push(`${where}: iframe src`);
          if (/breakout-/.test(element.getAttribute('src') ?? '')) problems.push(`${where}: break-out element <${tag}>`);
          for (const attribute of Array.from(element.attributes)) {
            const name = attribute.name.toLowerCase();
            if (name.startsWith('on')) problems.push(`${where}: <${tag} ${name}>`);
            if (name === 'srcdoc') problems.push(`${where}: <${tag} srcdoc>`);
            if (scriptUrl(attribute.value)) problems.push(`${where}: <${tag} ${name}="${attribute.value.slice(0, 30)}">`);
            if (name === 'style' && scriptCss.test(attribute.value)) problems.push(`${where}: <${tag} style> with script`);
          }
          if (tag === 'template') visit((element as HTMLTemplateElement).content, `${where} template`);
          if (element.shadowRoot) visit(element.shadowRoot, `${where} shadow`);
          const inner = tag === 'iframe' ? (element as HTMLIFrameElement).contentDocument : null;
          if (inner) visit(inner, `${where} frame`);
        }
        const sheets = 'styleSheets' in root ? [...Array.from(root.styleSheets), ...root.adoptedStyleSheets] : [];
        for (const sheet of sheets) {
          const rules = (list: CSSRuleList): void => {
            for (const rule of Array.from(list)) {
              if (rule instanceof CSSImportRule) {
                if (rule.styleSheet) rules(rule.styleSheet.cssRules);
              } else if (scriptCss.test(rule.cssText)) {
                problems.push(`${where}: css ${rule.cssText.slice(0, 60)}`);
              }
            }
          };
          rules(sheet.cssRules);
        }
      };
      const frame = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!;
      visit(frame.contentDocument!, 'mirror');
      return problems;
    });
    expect(found).toEqual([]);
  });

  it('[CP4][VW2][VW4] hovering, clicking and focusing every vector in the mirror runs nothing and navigates nowhere', async () => {
    const targets = await page.evaluate(() => {
      const frame = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!;
      const base = frame.getBoundingClientRect();
      const points: Array<{ x: number; y: number; what: string }> = [];
      for (const element of Array.from(frame.contentDocument!.querySelectorAll('[data-vector] *, body'))) {
        const box = element.getBoundingClientRect();
        if (box.width < 1 || box.height < 1 || box.bottom > base.height || box.right > base.width) continue;
        points.push({ x: base.left + box.left + Math.min(box.width / 2, 6), y: base.top + box.top + box.height / 2, what: element.localName });
      }
      return points;
    });
    expect(targets.length).toBeGreaterThan(60);
    for (const target of targets) {
      await page.mouse.move(target.x, target.y);
      await page.mouse.click(target.x, target.y);
    }
    // Keyboard activation of every focusable element of the mirror. (Not Tab: focus would
    // wander into the visitor's frame, whose vectors run on purpose.)
    const focusable = await page.evaluate(() => {
      const doc = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument!;
      return doc.querySelectorAll('a, area, button, input, select, textarea, details, summary, [tabindex]').length;
    });
    expect(focusable).toBeGreaterThan(15);
    for (let i = 0; i < focusable; i++) {
      await page.evaluate((n) => {
        const doc = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument!;
        doc.querySelectorAll<HTMLElement>('a, area, button, input, select, textarea, details, summary, [tabindex]')[n]!.focus();
      }, i);
      await page.keyboard.press('Enter');
      await page.keyboard.press(' ');
    }
    // Give anything that was (wrongly) started a moment to report: a navigation, a popup.
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 500)));
    expect(mirrorHits(await hits())).toEqual([]);
    expect(popups).toEqual([]);
    expect(page.url()).toContain('/__oc/harness.html');
    const mirrorTitle = await page.evaluate(() => document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument?.querySelector('h1')?.textContent);
    expect(mirrorTitle).toBe('Hostile content');
  });

  it('the same hover, click and focus do run the vectors in the visitor page (so the probe above can see a run vector)', async () => {
    await source.locator('[data-vector="onmouseover"] div').hover();
    await source.locator('[data-vector="onclick"] button').click();
    await source.locator('[data-vector="onclick-added-later"] button').click();
    await source.locator('#autofocus-input').click();
    await page.waitForFunction(() => {
      const ran = new Set((window as unknown as { __xssHits: Hit[] }).__xssHits.filter((hit) => hit.from === 'source').map((hit) => hit.id));
      return ['onmouseover', 'onclick', 'onclick-added-later', 'input-autofocus-onfocus'].every((id) => ran.has(id));
    });
    // The visitor's runs never count as the mirror's.
    expect(mirrorHits(await hits())).toEqual([]);
  });
});
