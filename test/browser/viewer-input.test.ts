/**
 * The agent's input over the mirror, end to end: real Chromium drives the viewer's mouse and
 * keyboard, and a protocol-speaking visitor (showing a hand-made page whose node ids the
 * test knows) checks the exact `agent-pointer`, `gesture` and `rc-event` messages that
 * reach it ([RC4], [RC5], [RC7]–[RC9], [VW4]).
 */
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteEvent, ServerToVisitor } from '../../src/shared/protocol/control.js';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/start-server.js';
import { agentContext, protocolVisitor, waitForSession, type ProtocolVisitor } from '../fixtures/crm/crm-harness.js';
import { formPage } from '../fixtures/viewer/keyframe.js';

let browser: Browser;
let server: TestServer;
let agent: BrowserContext;
let keyCounter = 0;
const newKey = () => `input-${++keyCounter}-${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  // Smaller than the visitor's 1280 × 800: the mirror is scaled down, and the input must be scaled back.
  agent = await agentContext(browser, server, { viewport: { width: 1100, height: 720 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the viewer for `key` (directly, as an agent would from the console) and waits for the page. */
async function openViewer(key: string): Promise<Page> {
  const page = await agent.newPage();
  await page.goto(`${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=${encodeURIComponent(key)}&Wait=1`);
  await waitForSession(page, 'live');
  await page.waitForSelector('#oc-viewer[data-page="true"]');
  return page;
}

const mirror = (page: Page): FrameLocator => page.frameLocator('iframe.oc-mirror-frame');

type RcEvent = Extract<ServerToVisitor, { type: 'rc-event' }>;

/** The remote-control actions the visitor received after `mark`. */
function rcEvents(visitor: ProtocolVisitor, mark: number): RemoteEvent[] {
  return visitor.client.messages.slice(mark).flatMap((m) => (m.type === 'rc-event' ? [(m as RcEvent).event] : []));
}

/** Waits until the visitor received `count` actions after `mark` (hover and focus aside); returns them. */
async function actions(visitor: ProtocolVisitor, mark: number, count: number): Promise<RemoteEvent[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const list = rcEvents(visitor, mark).filter((event) => event.kind !== 'hover' && event.kind !== 'focus');
    if (list.length >= count) return list;
    if (Date.now() > deadline) throw new Error(`expected ${count} actions, got ${JSON.stringify(list)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The agent asks for control with the toolbar button; the visitor grants it. */
async function takeControl(page: Page, visitor: ProtocolVisitor): Promise<void> {
  const mark = visitor.mark();
  await page.getByRole('button', { name: 'Request control' }).click();
  await visitor.next('rc-request', mark);
  visitor.client.send({ type: 'rc', enabled: true });
  await page.waitForSelector('#oc-viewer[data-control="on"]');
}

/** Expects a point within a pixel or two of (x, y): the mirror is scaled, clicks land on whole agent pixels. */
function near(x: number, y: number) {
  return { x: expect.toBeWithin(x - 2, x + 2), y: expect.toBeWithin(y - 2, y + 2) };
}

expect.extend({
  toBeWithin(received: number, low: number, high: number) {
    const pass = typeof received === 'number' && received >= low && received <= high;
    return { pass, message: () => `expected ${received} to be within ${low}..${high}` };
  },
});

declare module 'vitest' {
  interface AsymmetricMatchersContaining {
    toBeWithin(low: number, high: number): unknown;
  }
}

describe('agent input over the mirror', () => {
  it('[RC9] the agent pointer reaches the visitor in its viewport coordinates, and (-1, -1) when it leaves the page', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const page = await openViewer(key);

    let mark = visitor.mark();
    await mirror(page).locator('#hover-me').hover();
    // #hover-me is at 900,40 and 200 × 60 on the visitor's page: its centre is (1000, 70).
    const pointer = await visitor.next('agent-pointer', mark);
    expect(pointer).toMatchObject({ ...near(1000, 70), agent: { username: 'demo' } });

    mark = visitor.mark();
    await page.mouse.move(5, 5); // the toolbar: off the visitor's page
    expect(await visitor.next('agent-pointer', mark)).toMatchObject({ x: -1, y: -1 });
    await page.close();
  });

  it('[RC8][RC7] with control off a click is a gesture on the node under it, for the epoch of the keyframe shown', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const page = await openViewer(key);

    let mark = visitor.mark();
    await mirror(page).locator('#notes').click();
    // #notes is at 40,320 and 300 × 60 on the visitor's page: its centre is (190, 350).
    expect(await visitor.next('gesture', mark)).toMatchObject({
      epoch: visitor.keyframeSeq,
      target: visitor.page.ids['notes'],
      ...near(190, 350),
      agent: { username: 'demo' },
    });
    mark = visitor.mark();
    await mirror(page).locator('#go-label').click();
    expect(await visitor.next('gesture', mark)).toMatchObject({ epoch: visitor.keyframeSeq, target: visitor.page.ids['go-label'] });

    // A new capture: new ids, new epoch; the agent's next gesture names both.
    const before = visitor.page.ids['go'];
    visitor.sendKeyframe(formPage());
    expect(visitor.page.ids['go']).not.toBe(before);
    await page.waitForFunction(
      (id) => document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame')?.contentDocument?.getElementById('go') !== null && id !== 0,
      visitor.page.ids['go'],
    );
    mark = visitor.mark();
    await mirror(page).locator('#go').click({ position: { x: 4, y: 4 } });
    expect(await visitor.next('gesture', mark)).toMatchObject({ epoch: visitor.keyframeSeq, target: visitor.page.ids['go'] });
    expect(rcEvents(visitor, 0)).toEqual([]);
    await page.close();
  });

  it('[RC5] with control on, clicks, double-clicks and the context menu are actions on the node under the pointer', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const page = await openViewer(key);
    await takeControl(page, visitor);
    expect(await page.textContent('.oc-control-note')).toBe('You are in control');

    let mark = visitor.mark();
    await mirror(page).locator('#notes').click();
    const [click] = await actions(visitor, mark, 1);
    expect(click).toEqual({ kind: 'click', target: visitor.page.ids['notes'], button: 0, ...near(190, 350) });
    const message = visitor.client.messages.slice(mark).find((m) => m.type === 'rc-event') as RcEvent;
    expect(message.epoch).toBe(visitor.keyframeSeq);

    mark = visitor.mark();
    await mirror(page).locator('#go-label').dblclick();
    const clicks = await actions(visitor, mark, 3);
    expect(clicks.map((event) => event.kind)).toEqual(['click', 'click', 'dblclick']);
    expect(clicks.every((event) => 'target' in event && event.target === visitor.page.ids['go-label'])).toBe(true);

    mark = visitor.mark();
    await mirror(page).locator('#hover-me').click({ button: 'right' });
    const [menu] = await actions(visitor, mark, 1);
    expect(menu).toMatchObject({ kind: 'contextmenu', target: visitor.page.ids['hover-me'], button: 2 });

    mark = visitor.mark();
    await mirror(page).locator('#go').click({ modifiers: ['Shift'] });
    expect((await actions(visitor, mark, 1))[0]).toMatchObject({ kind: 'click', modifiers: { shift: true } });
    // Hovering an element names it, so menus that open on hover work.
    expect(rcEvents(visitor, 0).filter((event) => event.kind === 'hover').length).toBeGreaterThan(0);
    await page.close();
  });

  it('[RC5][VW4] typing goes to the focused field: text for characters, key for Enter, Tab, Backspace, arrows and shortcuts; the mirror does not change', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const page = await openViewer(key);
    await takeControl(page, visitor);
    const name = visitor.page.ids['name']!;

    let mark = visitor.mark();
    await mirror(page).locator('#name').click();
    await actions(visitor, mark, 1);
    expect(rcEvents(visitor, mark).filter((e) => e.kind !== 'hover')).toEqual([
      { kind: 'focus', target: name },
      expect.objectContaining({ kind: 'click', target: name }),
    ]);

    mark = visitor.mark();
    await page.keyboard.type('Hi!');
    for (const key of ['Enter', 'Backspace', 'ArrowLeft', 'Tab']) await page.keyboard.press(key);
    await page.keyboard.press('Control+a');
    const typed = await actions(visitor, mark, 8);
    expect(typed).toEqual([
      { kind: 'text', target: name, text: 'H' },
      { kind: 'text', target: name, text: 'i' },
      { kind: 'text', target: name, text: '!' },
      { kind: 'key', target: name, key: 'Enter', code: 'Enter' },
      { kind: 'key', target: name, key: 'Backspace', code: 'Backspace' },
      { kind: 'key', target: name, key: 'ArrowLeft', code: 'ArrowLeft' },
      { kind: 'key', target: name, key: 'Tab', code: 'Tab' },
      { kind: 'key', target: name, key: 'a', code: 'KeyA', modifiers: { ctrl: true } },
    ]);
    // The mirror shows the visitor's page, not the agent's typing ([VW4]).
    expect(await mirror(page).locator('#name').inputValue()).toBe('');

    mark = visitor.mark();
    await mirror(page).locator('#editor').click();
    await page.keyboard.type('x');
    const edits = await actions(visitor, mark, 2);
    expect(edits.at(-1)).toEqual({ kind: 'text', target: visitor.page.ids['editor'], text: 'x' });
    expect(await mirror(page).locator('#editor').textContent()).toBe('Edit me');

    // Outside a text field a character is a key press (a page's own shortcuts, Space on a button).
    mark = visitor.mark();
    await mirror(page).locator('#go').focus();
    await mirror(page).locator('#hover-me').click();
    await page.keyboard.press('j');
    const keys = await actions(visitor, mark, 2);
    expect(keys.at(-1)).toMatchObject({ kind: 'key', key: 'j', code: 'KeyJ' });
    await page.close();
  });

  it('[RC5][VW4] checkboxes and radios become check; a select opens the viewer\'s own option list and becomes select', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const page = await openViewer(key);
    await takeControl(page, visitor);

    let mark = visitor.mark();
    await mirror(page).locator('#agree').click();
    await mirror(page).locator('#color-blue').click();
    const checks = (await actions(visitor, mark, 2)).filter((event) => event.kind === 'check');
    expect(checks).toEqual([
      { kind: 'check', target: visitor.page.ids['agree'], checked: true },
      { kind: 'check', target: visitor.page.ids['color-blue'], checked: true },
    ]);
    // The mirror's boxes still show the visitor's state until the visitor's page changes.
    expect(await mirror(page).locator('#agree').isChecked()).toBe(false);
    expect(await mirror(page).locator('#color-red').isChecked()).toBe(true);

    mark = visitor.mark();
    await mirror(page).locator('#size').click();
    const list = page.getByRole('listbox', { name: /Choose for the visitor/ });
    await list.waitFor();
    expect(await list.getByRole('option').allTextContents()).toEqual(['Small', 'Medium', 'Large']);
    expect(await list.getByRole('option', { name: 'Small' }).getAttribute('aria-selected')).toBe('true');
    await list.getByRole('option', { name: 'Large' }).click();
    const selects = () => rcEvents(visitor, mark).filter((event) => event.kind === 'select');
    await expect.poll(selects).toEqual([{ kind: 'select', target: visitor.page.ids['size'], indexes: [2] }]);
    expect(await list.count()).toBe(0);
    expect(await mirror(page).locator('#size').inputValue()).toBe('s');

    // By keyboard: the list has focus; arrows move, Enter chooses.
    mark = visitor.mark();
    await mirror(page).locator('#size').click();
    await list.waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect.poll(selects).toEqual([{ kind: 'select', target: visitor.page.ids['size'], indexes: [1] }]);
    await mirror(page).locator('#size').click();
    await list.waitFor();
    await page.keyboard.press('Escape');
    expect(await list.count()).toBe(0);
    await page.close();
  });

  it('[RC5][VW4] the wheel scrolls the element under it, or the window, on the visitor\'s page; the mirror holds still', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const page = await openViewer(key);
    await takeControl(page, visitor);

    let mark = visitor.mark();
    await mirror(page).locator('#box').hover();
    await page.mouse.wheel(0, 120);
    const [scroll] = await actions(visitor, mark, 1);
    expect(scroll).toMatchObject({ kind: 'scroll', target: visitor.page.ids['box'], x: 0 });
    expect((scroll as { y: number }).y).toBeGreaterThan(0);
    expect(await mirror(page).locator('#box').evaluate((box) => box.scrollTop)).toBe(0);

    mark = visitor.mark();
    await mirror(page).locator('#hover-me').hover();
    await page.mouse.wheel(0, 200);
    const [windowScroll] = await actions(visitor, mark, 1);
    expect(windowScroll).toMatchObject({ kind: 'scroll', target: visitor.page.documentId, x: 0 });
    expect((windowScroll as { y: number }).y).toBeGreaterThan(0);
    await page.close();
  });

  it('[RC4] while the visitor uses their own mouse or keyboard, only the pointer goes out', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const page = await openViewer(key);
    await takeControl(page, visitor);

    visitor.client.send({ type: 'rc', enabled: true, suspended: true });
    await page.waitForSelector('#oc-viewer[data-control="suspended"]');
    expect(await page.textContent('.oc-control-note')).toBe('Paused: the visitor is using their mouse or keyboard');
    const mark = visitor.mark();
    await mirror(page).locator('#go').click();
    await page.keyboard.type('ab');
    await visitor.next('agent-pointer', mark);

    visitor.client.send({ type: 'rc', enabled: true, suspended: false });
    await page.waitForSelector('#oc-viewer[data-control="on"]');
    await mirror(page).locator('#hover-me').click();
    const events = await actions(visitor, mark, 1);
    expect(events).toEqual([expect.objectContaining({ kind: 'click', target: visitor.page.ids['hover-me'] })]);
    await page.close();
  });
});

describe('the viewer toolbar', () => {
  it('[NV2] back, forward and reload navigate the visitor (asking them first without control); they work from the keyboard', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const page = await openViewer(key);

    let mark = visitor.mark();
    await page.getByRole('button', { name: 'Back: the visitor’s previous page' }).click();
    expect(await visitor.next('navigate', mark)).toMatchObject({ url: 'back', confirm: true, agent: { username: 'demo' } });

    await takeControl(page, visitor);
    mark = visitor.mark();
    const forward = page.getByRole('button', { name: 'Forward: the visitor’s next page' });
    await forward.focus();
    await page.keyboard.press('Enter');
    const navigate = await visitor.next('navigate', mark);
    expect(navigate).toMatchObject({ url: 'forward' });
    expect(navigate).not.toHaveProperty('confirm');
    mark = visitor.mark();
    await page.getByRole('button', { name: 'Reload the visitor’s page' }).click();
    expect(await visitor.next('navigate', mark)).toMatchObject({ url: 'refresh' });

    // Release control from the toolbar.
    mark = visitor.mark();
    await page.getByRole('button', { name: 'Release control' }).click();
    expect(await visitor.next('rc', mark)).toEqual({ type: 'rc', enabled: false, suspended: false });
    await page.waitForSelector('#oc-viewer[data-control="off"]');
    await page.close();
  });

  it('[RC1] a refused request for control is explained to the agent; the visitor hears nothing', async () => {
    await server.store.putSettings('10000', 'staging', { allowRemoteControl: false });
    try {
      const key = newKey();
      const visitor = await protocolVisitor(server, key);
      const page = await openViewer(key);
      const mark = visitor.mark();
      await page.getByRole('button', { name: 'Request control' }).click();
      await page.waitForFunction(() => document.querySelector('.oc-alert [role=alert]')?.textContent?.includes('Remote control was refused: remote control is off for this group.'));
      await page.waitForSelector('#oc-viewer[data-control="off"]');
      expect(visitor.client.messages.slice(mark).map((m) => m.type)).not.toContain('rc-request');
      await page.close();
    } finally {
      await server.store.putSettings('10000', 'staging', { allowRemoteControl: true });
    }
  });

  it('Leave leaves the session: the visitor sees one agent less, the viewer says so', async () => {
    const key = newKey();
    const visitor = await protocolVisitor(server, key);
    const page = await openViewer(key);
    await visitor.next('agents');
    const mark = visitor.mark();
    await page.getByRole('button', { name: 'Leave' }).click();
    expect((await visitor.next('agents', mark)).count).toBe(0);
    await waitForSession(page, 'over', 'closed');
    expect(await page.textContent('.oc-notice-title')).toBe('You left the session');
    expect(await page.getByRole('button', { name: 'Request control' }).isDisabled()).toBe(true);
    await page.close();
  });
});

