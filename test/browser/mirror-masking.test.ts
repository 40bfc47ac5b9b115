/**
 * Masking at the source ([MK1]–[MK6]) on masking.html: no secret leaves the page, neither in
 * a payload (keyframe, delta, volatile) nor in the mirror's DOM nor in a request the mirror
 * makes; every public marker arrives; masked fields show asterisks and masked elements are
 * blank boxes. The recorder runs before the page's steps and before the test types on the
 * keyboard, so masking of live changes ([MK5]) is covered too. The group's selectors
 * (index.json "maskSelectors") play the server settings ([MK2]).
 *
 * Known bugs (marked `it.fails` until fixed; remove the marker then):
 * - the mirror's mask style sets width/height to the element's border-box size without
 *   `box-sizing: border-box`, so a masked element with padding or a border is drawn
 *   larger than on the page (e.g. #m-text 376×29 on the page, 392×41 in the mirror);
 * - a masked field whose `value` attribute changes (its value follows, no event, no
 *   property write) keeps its old asterisks: mutations.ts skips the attribute because it
 *   is not a layout attribute and writes no fresh masked `=value` instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectMirror, harnessRoutes, launchBrowser, openHarness, runFixture, settleMirror } from '../helpers/browser.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/pages');

interface MaskingEntry {
  page: string;
  secrets: string[];
  publicMarkers: string[];
  typedByTest: Record<string, string>;
  maskSelectors: string[];
  maskedFields: string[];
  maskedToggles: string[];
  maskedBoxes: string[];
}
const index = JSON.parse(readFileSync(path.join(FIXTURES, 'index.json'), 'utf8')) as { pages: Array<{ page: string }> };
const entry = index.pages.find((candidate) => candidate.page === 'masking.html') as MaskingEntry;
const typed = Object.entries(entry.typedByTest);
const SECRETS = [...entry.secrets, ...typed.filter(([, text]) => text.startsWith('SECRET')).map(([, text]) => text)];
const MARKERS = [...entry.publicMarkers, ...typed.filter(([, text]) => text.startsWith('PUBLIC')).map(([, text]) => text)];

let browser: Browser;
let server: StaticServer;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await serveStatic(FIXTURES, harnessRoutes());
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface Session {
  page: Page;
  source: Frame;
  /** URLs requested by anything but the visitor's page (the mirror, the harness). */
  mirrorRequests: string[];
}

/** The masking page, mirrored while its steps run and while the test types into it. */
async function maskedSession(maskSelectors: readonly string[]): Promise<Session> {
  const page = await browser.newPage();
  const requests: Array<{ url: string; frame: Frame | null }> = [];
  page.on('request', (request) => {
    let frame: Frame | null = null;
    try {
      frame = request.frame();
    } catch {
      frame = null; // service-worker or navigation requests without a frame
    }
    requests.push({ url: request.url(), frame });
  });
  const source = await openHarness(page, server.url, `/${entry.page}?hold`, 'held');
  await connectMirror(page, maskSelectors);
  await runFixture(source);
  for (const [selector, text] of typed) {
    await source.locator(selector).click();
    await page.keyboard.type(text);
  }
  await settleMirror(page);
  const fromSource = (frame: Frame | null) => {
    for (let current = frame; current; current = current.parentFrame()) if (current === source) return true;
    return false;
  };
  return { page, source, mirrorRequests: requests.filter((request) => !fromSource(request.frame)).map((request) => request.url) };
}

/** Every payload the recorder produced, as one text. */
function payloadText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const { keyframes, deltas, volatile } = (window as unknown as { __oc: { captured: Record<string, string[]> } }).__oc.captured;
    return [...keyframes!, ...deltas!, ...volatile!].join('\n');
  });
}

/** Everything the mirror holds as text: markup of every document and shadow root, field values, CSS. */
function mirrorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const parts: string[] = [];
    const visit = (root: Document | ShadowRoot) => {
      parts.push(root.nodeType === 9 ? ((root as Document).documentElement?.outerHTML ?? '') : (root as ShadowRoot).innerHTML);
      const sheets = [...Array.from(root.styleSheets), ...root.adoptedStyleSheets];
      for (const sheet of sheets) for (const rule of Array.from(sheet.cssRules)) parts.push(rule.cssText);
      for (const element of Array.from(root.querySelectorAll('*'))) {
        const value = (element as HTMLInputElement).value;
        if (typeof value === 'string') parts.push(value);
        if (element.shadowRoot) visit(element.shadowRoot);
        const inner = (element as HTMLIFrameElement).contentDocument;
        if (element.localName === 'iframe' && inner) visit(inner);
      }
    };
    const frame = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame');
    if (frame?.contentDocument) visit(frame.contentDocument);
    return parts.join('\n');
  });
}

describe('masking at the source (masking.html)', () => {
  let session: Session;
  beforeAll(async () => {
    session = await maskedSession(entry.maskSelectors);
  });
  afterAll(async () => {
    await session?.page.close();
  });

  it('[MK1][MK2][MK5] no secret appears in any keyframe, delta or volatile payload', async () => {
    const payloads = await payloadText(session.page);
    expect(payloads.length).toBeGreaterThan(1000);
    expect(SECRETS.filter((secret) => payloads.includes(secret))).toEqual([]);
  });

  it("[MK1][MK2][MK5] no secret appears in the mirror's DOM, values or CSS, and the mirror requests no URL with one", async () => {
    const text = await mirrorText(session.page);
    expect(SECRETS.filter((secret) => text.includes(secret))).toEqual([]);
    expect(session.mirrorRequests.filter((url) => SECRETS.some((secret) => decodeURIComponent(url).includes(secret)))).toEqual([]);
  });

  it('every public marker reaches the mirror (text, value attribute, property, keyboard, mutation, shadow root, frame)', async () => {
    const text = await mirrorText(session.page);
    expect(MARKERS.filter((marker) => !text.includes(marker))).toEqual([]);
  });

  /** Asterisks shown by the mirror for masked fields, and what they should be. */
  function maskedFieldValues(selectors: readonly string[]) {
    return session.page.evaluate((list) => {
      const source = (document.getElementById('src') as HTMLIFrameElement).contentDocument!;
      const mirror = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument!;
      return list.map((selector) => ({
        selector,
        expected: '*'.repeat(Math.min(source.querySelector<HTMLInputElement>(selector)!.value.length, 64)),
        shown: mirror.querySelector<HTMLInputElement>(selector)?.value ?? null,
      }));
    }, selectors);
  }

  /** Fields whose masked value a known bug leaves stale (see the file comment). */
  const STALE_BY_BUG = ['#m-setattr'];

  it('[MK3] masked fields show one asterisk per character (at most 64); masked checkboxes and radios show unchecked', async () => {
    const fields = await maskedFieldValues(entry.maskedFields.filter((selector) => !STALE_BY_BUG.includes(selector)));
    for (const field of fields) {
      expect(field.expected.length, `${field.selector} has a value on the page`).toBeGreaterThan(0);
      expect(field.shown, field.selector).toBe(field.expected);
    }
    const toggles = await session.page.evaluate(
      (toggleSelectors) => {
        const source = (document.getElementById('src') as HTMLIFrameElement).contentDocument!;
        const mirror = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument!;
        return toggleSelectors.map((selector) => ({
          selector,
          sourceChecked: source.querySelector<HTMLInputElement>(selector)!.checked,
          mirrorChecked: mirror.querySelector<HTMLInputElement>(selector)?.checked ?? null,
        }));
      },
      entry.maskedToggles,
    );
    for (const toggle of toggles) {
      expect(toggle.sourceChecked, `${toggle.selector} is checked on the page`).toBe(true);
      expect(toggle.mirrorChecked, toggle.selector).toBe(false);
    }
  });

  it('[MK3][PS5] a masked field whose value attribute changed shows the new number of asterisks (known bug: stale masked value)', async () => {
    const fields = await maskedFieldValues(STALE_BY_BUG);
    for (const field of fields) expect(field.shown, field.selector).toBe(field.expected);
  });

  it('[MK4] masked elements arrive as empty boxes: no children, no attributes beyond layout ones', async () => {
    const boxes = await session.page.evaluate((selectors) => {
      const mirror = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument!;
      return selectors.map((selector) => {
        const element = mirror.querySelector(selector);
        return {
          selector,
          found: element !== null,
          masked: element?.hasAttribute('data-oc-masked') ?? false,
          children: element?.childNodes.length ?? -1,
          attributes: element ? Array.from(element.attributes, (attribute) => attribute.name).sort() : [],
        };
      });
    }, entry.maskedBoxes);
    const layout = new Set(['id', 'class', 'style', 'data-oc-masked', 'glance_masked', 'contenteditable', 'width', 'height', 'hidden', 'dir', 'role']);
    for (const box of boxes) {
      expect(box, box.selector).toMatchObject({ found: true, masked: true, children: 0 });
      expect(box.attributes.filter((name) => !layout.has(name)), box.selector).toEqual([]);
    }
  });

  it('[MK4] masked elements keep the size of their box (known bug: mask style lacks box-sizing: border-box)', async () => {
    const sizes = await session.page.evaluate((selectors) => {
      const source = (document.getElementById('src') as HTMLIFrameElement).contentDocument!;
      const mirror = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument!;
      const size = (element: Element | null) => {
        const box = element?.getBoundingClientRect();
        return box ? [Math.round(box.width), Math.round(box.height)] : null;
      };
      // Only the boxes the steps do not resize: a masked box keeps the size it had when sent.
      return selectors
        .filter((selector) => ['#m-text', '#m-media', '#m-nest', '#m-editable', '#m-select'].includes(selector))
        .map((selector) => ({ selector, source: size(source.querySelector(selector)), mirror: size(mirror.querySelector(selector)) }));
    }, entry.maskedBoxes);
    expect(sizes.length).toBe(5);
    for (const { selector, source, mirror } of sizes) expect(mirror, selector).toEqual(source);
  });
});

describe('a masking selector that does not parse', () => {
  it('[MK6] masks the whole page: neither secrets nor public content leave it', async () => {
    const { page } = await maskedSession([...entry.maskSelectors, 'div[[[']);
    try {
      const payloads = await payloadText(page);
      expect(payloads.length).toBeGreaterThan(0);
      expect(SECRETS.filter((secret) => payloads.includes(secret))).toEqual([]);
      expect(MARKERS.filter((marker) => payloads.includes(marker))).toEqual([]);
      const maskedBody = await page.evaluate(() => {
        const mirror = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument!;
        return mirror.body?.hasAttribute('data-oc-masked') ?? false;
      });
      expect(maskedBody).toBe(true);
    } finally {
      await page.close();
    }
  });
});
