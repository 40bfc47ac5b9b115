/**
 * The page-stream encoder (capture) and decoder (mirror) on the orderings that break naive
 * implementations: moves out of removed subtrees, runs of new siblings, mutations while a
 * sliced keyframe is being written, masking that changes mid-snapshot, CSSOM and adopted
 * sheets without DOM mutations, closed shadow roots, re-keyframes. Each case builds a
 * page, records it, mirrors the stream in the same browser and compares the two trees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { harnessRoutes, HARNESS_PAGE, launchBrowser } from '../helpers/browser.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';

let browser: Browser;
let server: StaticServer;

beforeAll(async () => {
  browser = await launchBrowser();
  server = await serveStatic(process.cwd(), {
    ...harnessRoutes(),
    '/blank.html': () => ({ type: 'text/html; charset=utf-8', body: '<!DOCTYPE html><html><head><title>t</title></head><body></body></html>' }),
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** What a scenario gets inside the harness page. */
interface Scenario {
  /** The body HTML to start from. */
  html: string;
  /** Recorder options beyond the defaults (sliceMs…). */
  options?: Record<string, unknown>;
  /** Mask selectors (the group's settings). */
  masks?: string[];
  /** JavaScript run with `doc` (the source document) and `rec` right after `start()` was called, before its keyframe finished. */
  duringStart?: string;
  /** JavaScript run with `doc` and `rec` once the keyframe is applied. */
  after?: string;
  /** How long to let deltas flow before comparing, ms. */
  settleMs?: number;
}

interface Outcome {
  source: string[];
  mirror: string[];
  payloads: string;
  errors: string[];
}

async function run(page: Page, scenario: Scenario): Promise<Outcome> {
  await page.goto(`${server.url}${HARNESS_PAGE}?src=${encodeURIComponent('/blank.html')}`);
  await (await page.waitForSelector('#src')).contentFrame();
  await page.waitForFunction(() => (document.getElementById('src') as HTMLIFrameElement).contentDocument?.readyState === 'complete');
  return page.evaluate(async (s) => {
    type Harness = {
      Recorder: new (options: Record<string, unknown>) => { start(): Promise<void>; takeKeyframe(): Promise<void>; ignore(node: Node): void; stop(): void };
      Mirror: new (container: HTMLElement, events: Record<string, unknown>) => { applyKeyframe(t: unknown[]): void; applyDelta(t: unknown[]): void; document: Document | null };
    };
    const harness = (window as unknown as { OCHarness: Harness }).OCHarness;
    const doc = (document.getElementById('src') as HTMLIFrameElement).contentDocument!;
    doc.body.innerHTML = s.html;
    const errors: string[] = [];
    const payloads: string[] = [];
    const mirror = new harness.Mirror(document.getElementById('mirror')!, { error: (e: unknown) => errors.push(String(e)) });
    let pending = '';
    const rec = new harness.Recorder({
      document: doc,
      masking: { selectors: s.masks ?? [] },
      report: (e: unknown) => errors.push(String(e)),
      ...s.options,
      sink: {
        keyframePiece(text: string, last: boolean) {
          pending += text;
          payloads.push(text);
          if (last) {
            mirror.applyKeyframe(JSON.parse(pending));
            pending = '';
          }
        },
        delta(text: string) {
          payloads.push(text);
          mirror.applyDelta(JSON.parse(text));
        },
        volatile() {},
      },
    });
    const started = rec.start();
    if (s.duringStart) new Function('doc', 'rec', s.duringStart)(doc, rec);
    await started;
    if (s.after) await new Function('doc', 'rec', `return (async () => { ${s.after} })()`)(doc, rec);
    await new Promise((resolve) => setTimeout(resolve, s.settleMs ?? 100));
    rec.stop();

    // A tree description that ignores what the mirror adds for itself; a masked element
    // is described as such, without its attributes and children.
    const maskSelector = ['[glance_masked="true"]', '.glance_masked', 'input[type="password"]', ...(s.masks ?? [])].join(',');
    const describe = (root: Node): string[] => {
      const out: string[] = [];
      const walk = (node: Node, depth: number) => {
        const pad = ' '.repeat(depth);
        if (node.nodeType === 3) out.push(`${pad}"${(node as Text).data}"`);
        else if (node.nodeType === 8) out.push(`${pad}<!--${(node as Comment).data}-->`);
        else if (node.nodeType === 1) {
          const element = node as Element;
          if (element.hasAttribute('data-oc-masked') || (element.ownerDocument === doc && element.matches(maskSelector))) {
            out.push(`${pad}<${element.localName} #masked>`);
            return;
          }
          const attrs = element
            .getAttributeNames()
            .filter((name) => !name.startsWith('data-oc-') && !(name === 'style' && element.hasAttribute('data-oc-masked')))
            .map((name) => `${name}="${element.getAttribute(name)}"`);
          out.push(`${pad}<${element.localName}${attrs.length ? ' ' + attrs.join(' ') : ''}>`);
          const shadow = element.shadowRoot;
          if (shadow) {
            out.push(`${pad} #shadow`);
            shadow.childNodes.forEach((child) => walk(child, depth + 2));
          }
        }
        node.childNodes.forEach((child) => walk(child, depth + 1));
      };
      walk(root, 0);
      return out;
    };
    const mirrorBody = mirror.document?.body;
    return {
      source: describe(doc.body),
      mirror: mirrorBody ? describe(mirrorBody) : ['<no mirror>'],
      payloads: payloads.join('\n'),
      errors,
    };
  }, scenario as unknown as Scenario);
}

describe('page stream: capture and mirror agree', () => {
  let page: Page;
  beforeAll(async () => {
    page = await browser.newPage();
  });
  afterAll(async () => {
    await page.close();
  });

  it('[PS4] a node moved out of a subtree that is removed in the same batch survives', async () => {
    const outcome = await run(page, {
      html: '<div id="a"><p id="keep">kept <b>bold</b></p><p>gone</p></div><div id="b"></div>',
      after: `doc.getElementById('b').appendChild(doc.getElementById('keep')); doc.getElementById('a').remove();`,
    });
    expect(outcome.errors).toEqual([]);
    expect(outcome.mirror).toEqual(outcome.source);
    expect(outcome.mirror.join('\n')).toContain('kept');
  });

  it('[PS4] runs of new siblings, inserts between them, reorders, add+remove and double moves in one tick', async () => {
    const outcome = await run(page, {
      html: '<ul id="l"><li>1</li><li>2</li><li>3</li></ul><div id="x">x</div>',
      after: `
        const list = doc.getElementById('l');
        const make = (t) => { const li = doc.createElement('li'); li.textContent = t; return li; };
        const a = make('a'), b = make('b'), c = make('c');
        list.append(a, b, c);
        list.insertBefore(make('between'), b);
        list.insertBefore(list.lastElementChild, list.firstElementChild);
        const temp = make('temp'); list.appendChild(temp); temp.remove();
        const x = doc.getElementById('x'); list.appendChild(x); doc.body.prepend(x);
        list.children[2].textContent = 'edited';
        list.children[1].setAttribute('data-state', 'on');`,
    });
    expect(outcome.errors).toEqual([]);
    expect(outcome.mirror).toEqual(outcome.source);
    expect(outcome.payloads).not.toContain('temp');
  });

  it('[CP2] mutations while a sliced keyframe is written: moves are written once, masking still holds', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `<div class="row" id="r${i}">row ${i} <span>cell ${i}</span></div>`).join('');
    const outcome = await run(page, {
      html: rows,
      masks: ['.late-secret'],
      options: { sliceMs: 0 }, // yield after every 128 nodes
      duringStart: `
        // Runs between the first and second slice.
        const first = doc.getElementById('r0'), last = doc.getElementById('r1499');
        doc.body.prepend(last);             // an unvisited node into the visited region
        doc.body.appendChild(first);        // a visited node into the unvisited region: met twice
        doc.getElementById('r3').firstChild.data = 'visited row edited';
        const secret = doc.getElementById('r1200'); secret.classList.add('late-secret'); secret.firstChild.data = 'SECRET-DURING-SNAPSHOT';
        const added = doc.createElement('p'); added.className = 'late-secret'; added.textContent = 'SECRET-ADDED-EARLY';
        doc.body.insertBefore(added, doc.getElementById('r2'));`,
      settleMs: 200,
    });
    expect(outcome.errors).toEqual([]);
    expect(outcome.mirror).toEqual(outcome.source);
    expect(outcome.mirror.filter((line) => line.includes('#masked'))).toHaveLength(2);
    expect(outcome.payloads).not.toContain('SECRET-DURING-SNAPSHOT');
    expect(outcome.payloads).not.toContain('SECRET-ADDED-EARLY');
  });

  it('[CP4] script contents and event handler attributes are never sent', async () => {
    const outcome = await run(page, {
      html: '<button onclick="stealCookies()">Buy</button><script>var secretToken = "tok-123";</script>',
      after: `const s = doc.createElement('script'); s.textContent = 'window.evilLater = 1'; doc.body.appendChild(s); doc.querySelector('button').setAttribute('onmouseover', 'alsoEvil()');`,
    });
    expect(outcome.payloads).not.toContain('stealCookies');
    expect(outcome.payloads).not.toContain('tok-123');
    expect(outcome.payloads).not.toContain('evilLater');
    expect(outcome.payloads).not.toContain('alsoEvil');
    expect(outcome.mirror.join('\n')).not.toMatch(/<script|onclick|onmouseover/);
  });

  it('[CP6] nodes marked as ours are never captured', async () => {
    const outcome = await run(page, {
      html: '<p>page</p>',
      duringStart: `const ui = doc.createElement('div'); ui.id = 'our-ui'; ui.textContent = 'OUR-WIDGET'; rec.ignore(ui); doc.body.appendChild(ui);`,
      after: `const ui2 = doc.createElement('div'); ui2.textContent = 'OUR-LATER-WIDGET'; rec.ignore(ui2); doc.body.appendChild(ui2); doc.body.appendChild(doc.createTextNode('page text after'));`,
    });
    expect(outcome.payloads).not.toContain('OUR-WIDGET');
    expect(outcome.payloads).not.toContain('OUR-LATER-WIDGET');
    expect(outcome.mirror.join('\n')).toContain('page text after');
  });

  it('[PS3] a closed shadow root attached after capture started is mirrored', async () => {
    const outcome = await run(page, {
      html: '<div id="host">light child</div>',
      after: `const root = doc.getElementById('host').attachShadow({ mode: 'closed' }); root.innerHTML = '<b>inside the closed root</b>';`,
    });
    expect(outcome.errors).toEqual([]);
    expect(outcome.mirror.join('\n')).toContain('inside the closed root');
  });

  it('[PS7] CSSOM edits and in-place adopted sheets reach the mirror without DOM mutations', async () => {
    await run(page, {
      html: '<style id="s"></style><p id="p">styled</p><p id="q">adopted</p>',
      after: `
        doc.getElementById('s').sheet.insertRule('#p { color: rgb(1, 2, 3) }');
        const sheet = new doc.defaultView.CSSStyleSheet();
        sheet.replaceSync('#q { color: rgb(4, 5, 6) }');
        doc.adoptedStyleSheets.push(sheet); // no setter runs: found by polling
        await new Promise((r) => setTimeout(r, 700));`,
      options: { pollIntervalMs: 200 },
    });
    const colors = await page.evaluate(() => {
      const mirrorDoc = (document.querySelector('#mirror iframe') as HTMLIFrameElement).contentDocument!;
      const color = (id: string) => getComputedStyle(mirrorDoc.getElementById(id)!).color;
      return [color('p'), color('q')];
    });
    expect(colors).toEqual(['rgb(1, 2, 3)', 'rgb(4, 5, 6)']);
  });

  it('[PS2] a new keyframe starts a new id epoch and the mirror stays equal', async () => {
    const outcome = await run(page, {
      html: '<p id="p">before</p>',
      after: `doc.getElementById('p').textContent = 'between'; await rec.takeKeyframe(); doc.getElementById('p').textContent = 'after the new keyframe'; doc.body.append(doc.createElement('hr'));`,
    });
    expect(outcome.errors).toEqual([]);
    expect(outcome.mirror).toEqual(outcome.source);
    expect(outcome.mirror.join('\n')).toContain('after the new keyframe');
  });
});
