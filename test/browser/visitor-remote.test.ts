/**
 * What agents do on the visitor's page, end to end: a real server, a visitor page in
 * Chromium and an agent socket sending exactly the commands the viewer would — the
 * agent's pointer, gestures (with the screen-reader announcement), and remote control
 * (clicks, typing, keys, select, checkboxes, scrolling, contenteditable, a React app),
 * with suspension on the visitor's own input, revocation, masking and stale epochs.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_GROUP_ID, startTestServer, type TestServer } from '../helpers/start-server.js';
import type { StaticServer } from '../helpers/static-server.js';
import { serveVisitorSite } from '../fixtures/visitor/fixture-site.js';
import { joinAsAgent, type MirrorAgent } from '../fixtures/visitor/mirror-agent.js';
import { call, openVisitorPage, payloads, startSession, waitForEvent, type VisitorPage } from '../fixtures/visitor/visitor-page.js';
import type { RemoteEvent } from '../../src/shared/protocol/control.js';

let browser: Browser;
let server: TestServer;
let site: StaticServer;

beforeAll(async () => {
  server = await startTestServer();
  site = await serveVisitorSite(server.baseUrl, TEST_GROUP_ID);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
});

interface Setup {
  context: BrowserContext;
  v: VisitorPage;
  page: Page;
  agent: MirrorAgent;
}

let keys = 0;

/** A visitor page in session with a joined agent; with `rc`, control granted. */
async function setup(file: string, options: { rc?: boolean; query?: string } = {}): Promise<Setup> {
  const context = await browser.newContext();
  const v = await openVisitorPage(context, site.url, file, `?attr.ui=custom${options.query ?? ''}`);
  if (file === 'react.html') await v.page.waitForFunction(() => (window as unknown as { __reactReady?: boolean }).__reactReady === true);
  const key = `remote-${++keys}`;
  await startSession(v.page, key);
  const agent = await joinAsAgent(server, key);
  await waitForEvent(v.page, 'agents');
  await agent.epoch();
  if (options.rc) {
    expect(await call(v.page, 'enableRC', true)).toBe(true);
    await expect.poll(() => agent.client.messages.filter((m) => m.type === 'rc').at(-1)).toMatchObject({ enabled: true });
  }
  return { context, v, page: v.page, agent };
}

async function teardown(s: Setup): Promise<void> {
  s.agent.close();
  await s.context.close();
}

/** Sends an action aimed at the element with this id (its node id in the agent's mirror). */
async function act(s: Setup, elementId: string, event: Omit<RemoteEvent, 'target'> & Record<string, unknown>): Promise<void> {
  const { id } = await s.agent.node(elementId);
  await s.agent.rc({ ...event, target: id } as RemoteEvent);
}

/** The centre of an element in the visitor's viewport. */
async function centre(page: Page, selector: string): Promise<{ x: number; y: number }> {
  return page.evaluate((sel) => {
    const rect = document.querySelector(sel)!.getBoundingClientRect();
    return { x: Math.round(rect.left + rect.width / 2), y: Math.round(rect.top + rect.height / 2) };
  }, selector);
}

const value = (page: Page, selector: string) => page.evaluate((sel) => (document.querySelector(sel) as HTMLInputElement).value, selector);

/** The events the controls page recorded, as "type@target". */
async function seen(page: Page, types?: string[]): Promise<string[]> {
  const list = await page.evaluate(() => (window as unknown as { __seen: Array<{ type: string; target: string }> }).__seen);
  return list.filter((e) => !types || types.includes(e.type)).map((e) => `${e.type}@${e.target}`);
}

const clearSeen = (page: Page) => page.evaluate(() => ((window as unknown as { __seen: unknown[] }).__seen.length = 0));

let markers = 0;

/**
 * Sends a scroll of `#scroller` and waits for it: actions are run in order, so everything
 * sent before has been handled (or dropped) once it shows.
 */
async function marker(s: Setup): Promise<void> {
  const y = 10 + (++markers % 50);
  await act(s, 'scroller', { kind: 'scroll', x: 0, y });
  await expect.poll(() => s.page.evaluate(() => document.getElementById('scroller')!.scrollTop)).toBe(y);
}

describe('[RC9] the agent pointer', () => {
  it('shows the agent\'s pointer with their name where the agent points, and hides it at (-1, -1)', async () => {
    const s = await setup('page.html');
    const name = ((await payloads(s.page, 'agents')).at(-1)!.agentlist as Array<{ name: string }>)[0]!.name;
    s.agent.send({ type: 'pointer', x: 140, y: 90 });
    const pointer = s.page.locator('.oc-agent-pointer');
    await expect.poll(() => pointer.count()).toBe(1);
    expect(await pointer.textContent()).toBe(name);
    await expect.poll(async () => (await pointer.boundingBox())?.x).toBe(140);
    expect((await pointer.boundingBox())!.y).toBe(90);
    s.agent.send({ type: 'pointer', x: -1, y: -1 });
    await expect.poll(() => pointer.count()).toBe(0);
    await teardown(s);
  });
});

describe('[RC8] gestures', () => {
  it('highlight the element the agent clicked, and the highlight fades away', async () => {
    const s = await setup('controls.html');
    const { id, epoch } = await s.agent.node('counter');
    const at = await centre(s.page, '#counter');
    s.agent.send({ type: 'gesture', epoch, target: id, ...at });
    const highlight = s.page.locator('.oc-highlight');
    await expect.poll(() => highlight.count()).toBe(1);
    const box = (await highlight.boundingBox())!;
    const button = (await s.page.locator('#counter').boundingBox())!;
    expect(box.x).toBeLessThan(button.x);
    expect(box.x + box.width).toBeGreaterThan(button.x + button.width);
    // A gesture is not a click.
    expect(await s.page.locator('#counter').textContent()).toBe('Clicked 0 times');
    await expect.poll(() => highlight.count(), { timeout: 5_000 }).toBe(0);
    await teardown(s);
  });

  it('with accessibility on, the gestured element is read out: its name and role, in a live region', async () => {
    const s = await setup('controls.html');
    const name = ((await payloads(s.page, 'agents')).at(-1)!.agentlist as Array<{ name: string }>)[0]!.name;
    s.agent.send({ type: 'accessibility', enabled: true });
    await waitForEvent(s.page, 'accessibility');
    const { id, epoch } = await s.agent.node('submit');
    s.agent.send({ type: 'gesture', epoch, target: id, ...(await centre(s.page, '#submit')) });
    const region = s.page.locator('[role="status"][aria-live="polite"]');
    await expect.poll(() => region.textContent()).toBe(`${name} is pointing at Send, button`);
    // A labelled field is read by its label.
    const field = await s.agent.node('first');
    s.agent.send({ type: 'gesture', epoch: field.epoch, target: field.id, x: -1, y: -1 });
    await expect.poll(() => region.textContent()).toBe(`${name} is pointing at First name, text field`);
    await teardown(s);
  });

  it('[RC7] a gesture of another keyframe epoch does not use its node id', async () => {
    const s = await setup('controls.html');
    const counter = await s.agent.node('counter');
    const submit = await s.agent.node('submit');
    s.agent.send({ type: 'gesture', epoch: counter.epoch + 1000, target: counter.id, x: -1, y: -1 });
    s.agent.send({ type: 'gesture', epoch: submit.epoch, target: submit.id, x: -1, y: -1 });
    // Once the second gesture shows, the first was handled: it drew nothing.
    const button = (await s.page.locator('#submit').boundingBox())!;
    await expect.poll(async () => (await s.page.locator('.oc-highlight').first().boundingBox())?.y).toBe(button.y - 4);
    expect(await s.page.locator('.oc-highlight').count()).toBe(1);
    await teardown(s);
  });
});

describe('[RC5] remote control: the mouse', () => {
  it('a click produces the events of a real click, in order, and runs the page\'s handler', async () => {
    const s = await setup('controls.html', { rc: true });
    await clearSeen(s.page);
    await act(s, 'counter', { kind: 'click', ...(await centre(s.page, '#counter')) });
    await expect.poll(() => s.page.locator('#counter').textContent()).toBe('Clicked 1 times');
    expect(await seen(s.page, ['pointerdown', 'mousedown', 'focus', 'pointerup', 'mouseup', 'click'])).toEqual([
      'pointerdown@counter',
      'mousedown@counter',
      'focus@counter',
      'pointerup@counter',
      'mouseup@counter',
      'click@counter',
    ]);
    // The page sees untrusted events (nothing can fake isTrusted) carrying the agent's point.
    const click = await s.page.evaluate(() => (window as unknown as { __seen: Array<{ type: string; trusted: boolean; detail: number }> }).__seen.find((e) => e.type === 'click'));
    expect(click).toMatchObject({ trusted: false, detail: 1 });
    await teardown(s);
  });

  it('a double-click clicks twice then fires dblclick; a right click fires contextmenu and no click', async () => {
    const s = await setup('controls.html', { rc: true });
    await clearSeen(s.page);
    await act(s, 'counter', { kind: 'dblclick', ...(await centre(s.page, '#counter')) });
    await expect.poll(() => seen(s.page, ['click', 'dblclick'])).toEqual(['click@counter', 'click@counter', 'dblclick@counter']);
    expect(await s.page.locator('#counter').textContent()).toBe('Clicked 2 times');
    await clearSeen(s.page);
    await act(s, 'counter', { kind: 'contextmenu', ...(await centre(s.page, '#counter')) });
    await expect.poll(() => seen(s.page, ['mousedown', 'contextmenu', 'click'])).toEqual(['mousedown@counter', 'contextmenu@counter']);
    await teardown(s);
  });

  it('a text node id clicks its element; an unknown id falls back to the point', async () => {
    const s = await setup('controls.html', { rc: true });
    const index = s.agent.index()!;
    const textId = index.byText.get('Clicked 0 times')!;
    await s.agent.rc({ kind: 'click', target: textId, x: -1, y: -1 });
    await expect.poll(() => s.page.locator('#counter').textContent()).toBe('Clicked 1 times');
    await s.agent.rc({ kind: 'click', target: 999_999, ...(await centre(s.page, '#counter')) });
    await expect.poll(() => s.page.locator('#counter').textContent()).toBe('Clicked 2 times');
    await teardown(s);
  });

  it('scrolls the window (the document\'s id) and a scrollable element', async () => {
    const s = await setup('controls.html', { rc: true });
    const index = s.agent.index()!;
    await s.agent.rc({ kind: 'scroll', target: index.documentId, x: 0, y: 400 });
    await expect.poll(() => s.page.evaluate(() => window.scrollY)).toBe(400);
    await act(s, 'scroller', { kind: 'scroll', x: 0, y: 250 });
    await expect.poll(() => s.page.evaluate(() => document.getElementById('scroller')!.scrollTop)).toBe(250);
    await teardown(s);
  });
});

describe('[RC5] remote control: forms', () => {
  it('types into a text field with key events, beforeinput and input; Backspace, select-all and arrows edit it', async () => {
    const s = await setup('controls.html', { rc: true });
    await act(s, 'first', { kind: 'click', ...(await centre(s.page, '#first')) });
    await clearSeen(s.page);
    await act(s, 'first', { kind: 'text', text: 'Adx' });
    await expect.poll(() => value(s.page, '#first')).toBe('Adx');
    expect((await seen(s.page, ['keydown', 'keypress', 'beforeinput', 'input', 'keyup'])).slice(0, 5)).toEqual([
      'keydown@first',
      'keypress@first',
      'beforeinput@first',
      'input@first',
      'keyup@first',
    ]);
    const input = await s.page.evaluate(() => (window as unknown as { __seen: Array<{ type: string; inputType: string; data: string }> }).__seen.find((e) => e.type === 'input'));
    expect(input).toMatchObject({ inputType: 'insertText', data: 'A' });
    // No target: keys go to the focused element.
    await s.agent.rc({ kind: 'key', key: 'Backspace', code: 'Backspace' });
    await s.agent.rc({ kind: 'text', text: 'a' });
    await expect.poll(() => value(s.page, '#first')).toBe('Ada');
    await s.agent.rc({ kind: 'key', key: 'ArrowLeft', code: 'ArrowLeft' });
    await s.agent.rc({ kind: 'key', key: 'ArrowLeft', code: 'ArrowLeft' });
    await s.agent.rc({ kind: 'text', text: 'l' });
    await expect.poll(() => value(s.page, '#first')).toBe('Alda');
    await s.agent.rc({ kind: 'key', key: 'a', code: 'KeyA', modifiers: { ctrl: true } });
    await s.agent.rc({ kind: 'text', text: 'Grace' });
    await expect.poll(() => value(s.page, '#first')).toBe('Grace');
    // No change event while typing: it comes when the field is left.
    expect(await seen(s.page, ['change'])).toEqual([]);
    await teardown(s);
  });

  it('Tab moves focus to the next field and commits the change; Enter submits the form as a user would', async () => {
    const s = await setup('controls.html', { rc: true });
    await act(s, 'first', { kind: 'click', ...(await centre(s.page, '#first')) });
    await s.agent.rc({ kind: 'text', text: 'Ada' });
    await clearSeen(s.page);
    await s.agent.rc({ kind: 'key', key: 'Tab', code: 'Tab' });
    await expect.poll(() => s.page.evaluate(() => document.activeElement?.id)).toBe('last');
    expect(await seen(s.page, ['change', 'blur', 'focus'])).toEqual(['change@first', 'blur@first', 'focus@last']);
    await s.agent.rc({ kind: 'text', text: 'Lovelace' });
    await s.agent.rc({ kind: 'key', key: 'Tab', code: 'Tab', modifiers: { shift: true } });
    await expect.poll(() => s.page.evaluate(() => document.activeElement?.id)).toBe('first');
    await s.agent.rc({ kind: 'key', key: 'Enter', code: 'Enter' });
    await expect.poll(() => s.page.evaluate(() => (window as unknown as { __submits: unknown[] }).__submits)).toEqual([
      { first: 'Ada', last: 'Lovelace', notes: '', country: 'fr', plan: 'basic' },
    ]);
    // The form was submitted by its default button, as implicit submission does.
    expect(await seen(s.page, ['click', 'submit'])).toEqual(['click@submit', 'submit@form']);
    await teardown(s);
  });

  it('text aimed at a field that is not focused focuses it first', async () => {
    const s = await setup('controls.html', { rc: true });
    await act(s, 'first', { kind: 'click', x: -1, y: -1 });
    await act(s, 'last', { kind: 'text', text: 'Hopper' });
    await expect.poll(() => value(s.page, '#last')).toBe('Hopper');
    expect(await s.page.evaluate(() => document.activeElement?.id)).toBe('last');
    expect(await value(s.page, '#first')).toBe('');
    await teardown(s);
  });

  it('Enter in a textarea starts a new line', async () => {
    const s = await setup('controls.html', { rc: true });
    await act(s, 'notes', { kind: 'focus' });
    await s.agent.rc({ kind: 'text', text: 'one\ntwo' });
    await expect.poll(() => value(s.page, '#notes')).toBe('one\ntwo');
    expect(await s.page.evaluate(() => (window as unknown as { __submits: unknown[] }).__submits)).toEqual([]);
    await teardown(s);
  });

  it('selects an option, checks a box and a radio, with input and change events', async () => {
    const s = await setup('controls.html', { rc: true });
    await clearSeen(s.page);
    await act(s, 'country', { kind: 'select', indexes: [2] });
    await expect.poll(() => value(s.page, '#country')).toBe('jp');
    expect(await seen(s.page, ['input', 'change'])).toEqual(['input@country', 'change@country']);
    await clearSeen(s.page);
    await act(s, 'agree', { kind: 'check', checked: true });
    await expect.poll(() => s.page.evaluate(() => (document.getElementById('agree') as HTMLInputElement).checked)).toBe(true);
    expect(await seen(s.page, ['click', 'input', 'change'])).toEqual(['click@agree', 'input@agree', 'change@agree']);
    // Asking for the state it already has does nothing.
    await act(s, 'agree', { kind: 'check', checked: true });
    await act(s, 'plan-pro', { kind: 'check', checked: true });
    await expect.poll(() => s.page.evaluate(() => (document.getElementById('plan-pro') as HTMLInputElement).checked)).toBe(true);
    expect(await s.page.evaluate(() => (document.getElementById('agree') as HTMLInputElement).checked)).toBe(true);
    expect(await s.page.evaluate(() => (document.getElementById('plan-basic') as HTMLInputElement).checked)).toBe(false);
    await teardown(s);
  });

  it('edits contenteditable content through the selection, with beforeinput and input', async () => {
    const s = await setup('controls.html', { rc: true });
    // Focused by the click; the caret is not in it yet, so typing goes to its end.
    await act(s, 'editor', { kind: 'click', ...(await centre(s.page, '#editor')) });
    await clearSeen(s.page);
    await s.agent.rc({ kind: 'text', text: ' world' });
    await expect.poll(() => s.page.locator('#editor').textContent()).toBe('Hello world');
    await s.agent.rc({ kind: 'key', key: 'Backspace', code: 'Backspace' });
    await expect.poll(() => s.page.locator('#editor').textContent()).toBe('Hello worl');
    const inputs = await s.page.evaluate(() => (window as unknown as { __seen: Array<{ type: string; inputType: string }> }).__seen.filter((e) => e.type === 'input').map((e) => e.inputType));
    expect(inputs.at(-1)).toBe('deleteContentBackward');
    expect(inputs[0]).toBe('insertText');
    await teardown(s);
  });

  it('types into a React-controlled input and the app\'s state follows; select, checkbox and submit too', async () => {
    const s = await setup('react.html', { rc: true });
    await act(s, 'react-name', { kind: 'click', ...(await centre(s.page, '#react-name')) });
    await s.agent.rc({ kind: 'text', text: 'Grace' });
    await expect.poll(() => s.page.locator('#greeting').textContent()).toBe('Hello, Grace!');
    await act(s, 'react-size', { kind: 'select', indexes: [2] });
    await act(s, 'react-gift', { kind: 'check', checked: true });
    await expect.poll(() => s.page.locator('#summary').textContent()).toBe('l gift');
    await act(s, 'react-name', { kind: 'key', key: 'Enter', code: 'Enter' });
    await expect.poll(() => s.page.evaluate(() => (window as unknown as { __reactState: unknown }).__reactState)).toEqual({
      name: 'Grace',
      size: 'l',
      gift: true,
      submitted: 'Grace',
    });
    await teardown(s);
  });
});

describe('remote control: what is refused on the page', () => {
  it('[MK5] masked fields cannot be typed into or clicked', async () => {
    const s = await setup('controls.html', { rc: true });
    await act(s, 'card', { kind: 'focus' });
    await act(s, 'card', { kind: 'text', text: '9999' });
    await marker(s);
    expect(await value(s.page, '#card')).toBe('4111');
    expect(await s.page.evaluate(() => document.activeElement?.id)).not.toBe('card');
    await expect.poll(() => s.v.console.filter((m) => m.text.includes('refused a text on a masked element')).length).toBe(1);
    await teardown(s);
  });

  it('[RC7] an action of another keyframe epoch is dropped', async () => {
    const s = await setup('controls.html', { rc: true });
    const { id, epoch } = await s.agent.node('counter');
    s.agent.send({ type: 'rc-event', epoch: epoch + 1, event: { kind: 'click', target: id, x: -1, y: -1 } });
    s.agent.send({ type: 'rc-event', epoch, event: { kind: 'click', target: id, x: -1, y: -1 } });
    await marker(s);
    expect(await s.page.locator('#counter').textContent()).toBe('Clicked 1 times');
    await teardown(s);
  });

  it('[RC4] the visitor\'s own mouse suspends control for a few seconds; actions meanwhile are dropped', async () => {
    const s = await setup('controls.html', { rc: true });
    const rcMessages = () => s.agent.client.messages.filter((m) => m.type === 'rc');
    const before = rcMessages().length;
    await s.page.mouse.move(10, 10);
    await s.page.mouse.move(60, 40, { steps: 4 });
    await expect.poll(() => rcMessages().at(-1)).toEqual({ type: 'rc', enabled: true, suspended: true });
    expect(await payloads(s.page, 'rc')).toContainEqual({ enabled: true, suspended: true });
    await act(s, 'counter', { kind: 'click', x: -1, y: -1 });
    await expect.poll(() => rcMessages().at(-1), { timeout: 10_000 }).toEqual({ type: 'rc', enabled: true, suspended: false });
    expect(rcMessages().length).toBe(before + 2);
    await act(s, 'counter', { kind: 'click', x: -1, y: -1 });
    await marker(s);
    // Only the click after the suspension counted.
    expect(await s.page.locator('#counter').textContent()).toBe('Clicked 1 times');
    await teardown(s);
  });

  it('[RC3] after the visitor revokes control the agent\'s actions are refused', async () => {
    const s = await setup('controls.html', { rc: true });
    expect(await call(s.page, 'enableRC', false)).toBe(true);
    await expect.poll(() => s.agent.client.messages.filter((m) => m.type === 'rc').at(-1)).toMatchObject({ enabled: false });
    await act(s, 'counter', { kind: 'click', x: -1, y: -1 });
    expect(await s.agent.client.next('denied')).toMatchObject({ action: 'rcevent' });
    expect(await s.page.locator('#counter').textContent()).toBe('Clicked 0 times');
    await teardown(s);
  });
});
