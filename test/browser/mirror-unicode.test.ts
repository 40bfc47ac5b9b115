/**
 * Text survives exactly ([PS1], [PS3], [PS5]) on unicode.html: every text node, comment,
 * attribute value and field value of the mirror equals the page's, code unit for code unit
 * (RTL and bidi controls, emoji sequences, combining marks, entities, significant
 * whitespace, and text set by script with CR, NUL, a lone surrogate, U+2028 and a BOM),
 * whether the text arrived in the keyframe or in a delta.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectMirror, harnessRoutes, launchBrowser, openHarness, runFixture, settleMirror } from '../helpers/browser.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/pages');
const PAGE = 'unicode.html';

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

interface Texts {
  title: string;
  texts: string[];
  comments: string[];
  attributes: string[];
  values: string[];
}

/** The texts of the source page and of the mirror, in document order. */
function collectTexts(page: Page): Promise<{ source: Texts; mirror: Texts }> {
  return page.evaluate(() => {
    const collect = (doc: Document): Texts => {
      const out: Texts = { title: doc.title, texts: [], comments: [], attributes: [], values: [] };
      const walker = doc.createTreeWalker(doc, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT | NodeFilter.SHOW_COMMENT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.nodeType === 3) {
          const parent = (node.parentNode as Element | null)?.localName;
          // Script text is never sent ([CP4]); the mirror keeps an empty placeholder. Linked
          // sheets arrive inline ([PS7]): style text is the fidelity tests' business.
          if (!['script', 'noscript', 'template', 'style'].includes(parent ?? '')) out.texts.push((node as Text).data);
        } else if (node.nodeType === 8) {
          out.comments.push((node as Comment).data);
        } else {
          const element = node as Element;
          if (['base', 'link', 'style', 'script', 'noscript', 'template'].includes(element.localName)) continue;
          for (const attribute of Array.from(element.attributes)) {
            if (!attribute.name.startsWith('on')) out.attributes.push(`${element.localName} ${attribute.name}=${attribute.value}`);
          }
          if (element.localName === 'input' || element.localName === 'textarea') out.values.push((element as HTMLInputElement).value);
        }
      }
      return out;
    };
    const source = (document.getElementById('src') as HTMLIFrameElement).contentDocument!;
    const mirror = document.querySelector<HTMLIFrameElement>('#mirror iframe.oc-mirror-frame')!.contentDocument!;
    return { source: collect(source), mirror: collect(mirror) };
  });
}

describe(`text survives exactly (${PAGE})`, () => {
  for (const mode of ['live', 'late'] as const) {
    it(`[PS3][PS5] (${mode}) text nodes, comments, attributes, field values and title are equal code unit for code unit`, async () => {
      const page = await browser.newPage();
      try {
        const source = await openHarness(page, server.url, `/${PAGE}${mode === 'live' ? '?hold' : ''}`, mode === 'live' ? 'held' : 'ready');
        await connectMirror(page);
        if (mode === 'live') await runFixture(source);
        await settleMirror(page);
        const texts = await collectTexts(page);
        // The page really holds the hard cases (so equality below means they survived).
        const all = texts.source.texts.join('');
        for (const hard of ['\r', '\u0000', '\ud83d', '\u2028', '\ufeff', '\u202e', '👨‍👩‍👧‍👦', 'é', '\u00a0', '\t']) {
          expect(all.includes(hard), `the page has ${JSON.stringify(hard)}`).toBe(true);
        }
        expect(texts.source.comments.some((comment) => comment.includes('after </html>'))).toBe(true);

        expect(texts.mirror.texts).toEqual(texts.source.texts);
        expect(texts.mirror.comments).toEqual(texts.source.comments);
        expect(texts.mirror.values).toEqual(texts.source.values);
        expect(texts.mirror.title).toBe(texts.source.title);
        // The mirror adds no attributes to these elements, and drops only event handlers.
        expect(texts.mirror.attributes).toEqual(texts.source.attributes);
      } finally {
        await page.close();
      }
    });
  }
});
