/**
 * The default visitor UI (`GLANCE.Cobrowse.VisitorUI`) in real Chromium against a real
 * server and agent: the start button and terms dialog, the session panel (code, waiting,
 * viewing, controlling, reconnecting), the border, announcements, the remote-control and
 * navigation prompts, the error box, keyboard use, the page's language, isolation from
 * the site's CSS, `data-ui`, and that none of it reaches the agent's mirror.
 */
import { inflateRawSync } from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_GROUP_ID, startTestServer, type TestServer } from '../helpers/start-server.js';
import type { StaticServer } from '../helpers/static-server.js';
import { serveVisitorSite } from '../fixtures/visitor/fixture-site.js';
import { startTcpProxy } from '../fixtures/visitor/tcp-proxy.js';
import { joinAsAgent, type MirrorAgent } from '../fixtures/visitor/mirror-agent.js';
import { call, openVisitorPage, payloads, startSession, waitForEvent, type VisitorPage } from '../fixtures/visitor/visitor-page.js';
import { FrameFlag, framePayload, readFrameHeader } from '../../src/shared/protocol/frame.js';

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

const contexts: BrowserContext[] = [];

async function open(query = '', file = 'page.html', origin = site.url): Promise<VisitorPage> {
  const context = await browser.newContext();
  contexts.push(context);
  return openVisitorPage(context, origin, file, query);
}

async function closeAll(...agents: MirrorAgent[]): Promise<void> {
  for (const agent of agents) agent.close();
  for (const context of contexts.splice(0)) await context.close();
}

/** The text the focused element shows, looking into our shadow root. */
const focusedText = (page: Page) =>
  page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.textContent ?? null;
  });

/** Every page frame the agent received, as text. */
function frameText(agent: MirrorAgent): string {
  return agent.client.frames
    .map((frame) => {
      const header = readFrameHeader(frame);
      if (typeof header === 'string') throw new Error(header);
      const payload = Buffer.from(framePayload(frame));
      return (header.flags & FrameFlag.Deflate ? inflateRawSync(payload) : payload).toString('utf8');
    })
    .join('\n');
}

const panelStatus = (page: Page) => page.locator('.oc-panel .oc-status').textContent();

describe('start button and terms', () => {
  it('showButton shows the button; its terms dialog is keyboard driven; Accept starts a session and shows the code', async () => {
    const v = await open();
    const { page } = v;
    await call(page, 'showButton');
    const button = page.getByRole('button', { name: 'Start a co-browsing session with an agent' });
    await button.waitFor();
    expect(await button.textContent()).toBe('Browse with an agent');
    await button.click();

    const dialog = page.getByRole('dialog', { name: 'Mind if I browse with you?' });
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-modal')).toBe('true');
    expect(await dialog.textContent()).toContain('You can end the session at any time.');
    // Focus starts on Accept; Tab stays inside the dialog.
    expect(await focusedText(page)).toBe('Accept');
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Decline');
    await page.keyboard.press('Tab');
    expect(await focusedText(page)).toBe('Accept');
    await page.keyboard.press('Enter');

    await waitForEvent(page, 'statereceived');
    expect(await call(page, 'isRandomKey')).toBe(true);
    const code = page.locator('.oc-panel .oc-code');
    await expect.poll(() => code.textContent()).toBe(await call(page, 'getKey'));
    expect(await panelStatus(page)).toBe('Please give the agent this code:');
    expect(await page.getByRole('region', { name: 'Co-browsing session' }).count()).toBe(1);
    // In session: the border, no start button.
    expect(await page.locator('.oc-border').count()).toBe(1);
    expect(await button.count()).toBe(0);
    await closeAll();
  });

  it('Escape declines the terms: no session, and focus returns where it was', async () => {
    const { page } = await open();
    await page.focus('#name');
    await call(page, 'showTerms');
    await page.getByRole('dialog').waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('name');
    expect(await call(page, 'inSession')).toBe(false);
    await closeAll();
  });

  it('the tag\'s terms text and link are shown; showTerms(params) starts with those params', async () => {
    const { page } = await open('?attr.termstext=Our+agents+follow+the+privacy+policy.&attr.termsurl=https://example.com/terms');
    await page.evaluate(() => (window as unknown as { GLANCE: { Cobrowse: { VisitorUI: { showTerms(p: object): void } } } }).GLANCE.Cobrowse.VisitorUI.showTerms({ sessionKey: 'terms-key' }));
    const dialog = page.getByRole('dialog', { name: 'Mind if I browse with you?' });
    await dialog.waitFor();
    expect(await dialog.getByRole('paragraph').first().textContent()).toBe('Our agents follow the privacy policy.');
    expect(await dialog.getByRole('link', { name: 'Terms and conditions' }).getAttribute('href')).toBe('https://example.com/terms');
    await dialog.getByRole('button', { name: 'Accept' }).click();
    await waitForEvent(page, 'statereceived');
    expect(await call(page, 'getKey')).toBe('terms-key');
    await closeAll();
  });
});

describe('in session', () => {
  it('waits for the agent, then says who is viewing, marks the border, and announces it', async () => {
    const { page } = await open('?attr.visitorid=ui-viewing');
    await startSession(page, 'ui-viewing');
    await expect.poll(() => panelStatus(page)).toBe('Please wait for the agent to connect.');
    expect(await page.locator('.oc-border').getAttribute('class')).toBe('oc-border');
    const agent = await joinAsAgent(server, 'ui-viewing');
    const name = ((await waitForEvent(page, 'agents')).at(-1)!.payload.agentlist as Array<{ name: string }>)[0]!.name;
    await expect.poll(() => panelStatus(page)).toBe(`${name} is viewing your browser.`);
    expect(await page.locator('.oc-border').getAttribute('class')).toBe('oc-border oc-joined');
    await expect.poll(() => page.locator('.oc-toast').textContent()).toBe(`${name} is viewing your browser.`);
    await expect.poll(() => page.locator('[role="status"][aria-live="polite"]').textContent()).toBe(`${name} is viewing your browser.`);
    // [CP6] none of our UI is in what the agent receives.
    await agent.epoch();
    const sent = frameText(agent);
    for (const text of ['opencobrowse-ui', 'oc-panel', 'is viewing your browser', 'End session']) expect(sent).not.toContain(text);
    await closeAll(agent);
  });

  it('prompts for remote control: Yes grants it (border and panel change), Stop control revokes; No declines', async () => {
    const { page } = await open();
    await startSession(page, 'ui-rc');
    const agent = await joinAsAgent(server, 'ui-rc');
    await waitForEvent(page, 'agents');
    agent.send({ type: 'rc-request', enable: true });
    const prompt = page.getByRole('alertdialog', { name: 'Allow the agent to take control?' });
    await prompt.waitFor();
    expect(await focusedText(page)).toBe('Yes');
    await page.keyboard.press('Enter');
    await expect.poll(() => agent.client.messages.filter((m) => m.type === 'rc').at(-1)).toMatchObject({ enabled: true });
    await expect.poll(() => page.locator('.oc-border').getAttribute('class')).toBe('oc-border oc-joined oc-rc');
    expect(await panelStatus(page)).toBe('Agent is controlling your browser.');
    await page.getByRole('button', { name: 'Stop control' }).click();
    await expect.poll(() => agent.client.messages.filter((m) => m.type === 'rc').at(-1)).toMatchObject({ enabled: false });
    await expect.poll(() => page.getByRole('button', { name: 'Stop control' }).count()).toBe(0);

    agent.send({ type: 'rc-request', enable: true });
    await prompt.waitFor();
    await prompt.getByRole('button', { name: 'No' }).click();
    expect(await agent.client.next('rc-declined')).toEqual({ type: 'rc-declined' });
    expect(await call(page, 'getSessionState', 'rc')).toEqual({ enabled: false, suspended: false });
    await closeAll(agent);
  });

  it('asks before the agent navigates: No stays, Yes goes', async () => {
    const { page } = await open();
    await startSession(page, 'ui-nav');
    const agent = await joinAsAgent(server, 'ui-nav');
    agent.send({ type: 'navigate', url: 'controls.html', confirm: true });
    const prompt = page.getByRole('alertdialog', { name: `The agent wants to take you to ${site.url}/controls.html. Go there?` });
    await prompt.waitFor();
    await page.keyboard.press('Escape');
    await expect.poll(() => prompt.count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/page.html');
    agent.send({ type: 'navigate', url: 'back', confirm: true });
    await page.getByRole('alertdialog', { name: 'The agent wants to go back a page. Go back?' }).getByRole('button', { name: 'No' }).click();
    agent.send({ type: 'navigate', url: 'controls.html', confirm: true });
    await prompt.getByRole('button', { name: 'Yes' }).click();
    await page.waitForURL(`${site.url}/controls.html`);
    await waitForEvent(page, 'statereceived');
    expect(await call(page, 'getKey')).toBe('ui-nav');
    await closeAll(agent);
  });

  it('End session asks first, then ends and says so', async () => {
    const { page } = await open();
    await startSession(page, 'ui-end');
    await page.getByRole('button', { name: 'End session' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'End session?' });
    await confirm.getByRole('button', { name: 'No' }).click();
    expect(await call(page, 'inSession')).toBe(true);
    await page.getByRole('button', { name: 'End session' }).click();
    await confirm.getByRole('button', { name: 'Yes' }).click();
    expect((await waitForEvent(page, 'sessionend')).at(-1)!.payload).toEqual({ reason: 'visitor' });
    await expect.poll(() => page.locator('.oc-toast').textContent()).toBe('The co-browsing session has ended.');
    expect(await page.locator('.oc-panel').count()).toBe(0);
    expect(await page.locator('.oc-border').count()).toBe(0);
    await closeAll();
  });

  it('shows Reconnecting while the connection is down, and hides it when it is back', async () => {
    const proxy = await startTcpProxy(server.baseUrl);
    const proxiedSite = await serveVisitorSite(proxy.url, TEST_GROUP_ID);
    try {
      const { page } = await open('', 'page.html', proxiedSite.url);
      await startSession(page, 'ui-reconnect');
      const note = page.locator('.oc-reconnecting');
      expect(await note.isVisible()).toBe(false);
      proxy.refuse(true);
      proxy.cut();
      await waitForEvent(page, 'connection');
      await expect.poll(() => note.isVisible()).toBe(true);
      expect(await note.textContent()).toBe('Reconnecting…');
      proxy.refuse(false);
      await waitForEvent(page, 'connection', 2);
      await expect.poll(() => note.isVisible()).toBe(false);
      await closeAll();
    } finally {
      await proxiedSite.close();
      await proxy.close();
    }
  });

  it('shows an error box for a key already in use; Close dismisses it', async () => {
    const first = await open();
    await startSession(first.page, 'ui-dup');
    const { page } = await open();
    await call(page, 'startSession', 'ui-dup');
    const alert = page.getByRole('alert').filter({ hasText: 'Co-browsing problem' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('This session code is already in use.');
    expect(await focusedText(page)).toBe('Close');
    await page.keyboard.press('Enter');
    await expect.poll(() => alert.count()).toBe(0);
    await closeAll();
  });
});

describe('language, isolation, data-ui', () => {
  it('speaks the page\'s language (French here)', async () => {
    const { page } = await open('?lang=fr-CA');
    await call(page, 'showButton');
    const button = page.locator('.oc-start');
    await button.waitFor();
    expect(await button.textContent()).toBe('Naviguer avec un conseiller');
    await button.click();
    expect(await page.getByRole('dialog', { name: 'Puis-je naviguer avec vous ?' }).count()).toBe(1);
    expect(await page.locator('.oc-ui').getAttribute('lang')).toBe('fr');
    await page.getByRole('button', { name: 'Accepter' }).click();
    await waitForEvent(page, 'statereceived');
    await expect.poll(() => panelStatus(page)).toBe('Veuillez donner ce code au conseiller :');
    await closeAll();
  });

  it('the site\'s CSS does not reach the UI, even with !important rules aimed at it', async () => {
    const { page } = await open();
    await page.addStyleTag({
      content: 'opencobrowse-ui { display: none !important; left: -9999px !important } * { color: red !important; font-size: 40px !important } button { background: lime !important }',
    });
    await call(page, 'showButton');
    const button = page.locator('.oc-start');
    await button.waitFor();
    expect(await button.isVisible()).toBe(true);
    const style = await button.evaluate((el) => {
      const computed = getComputedStyle(el);
      return { color: computed.color, size: computed.fontSize, background: computed.backgroundColor };
    });
    expect(style).toEqual({ color: 'rgb(255, 255, 255)', size: '15px', background: 'rgb(29, 78, 216)' });
    await closeAll();
  });

  it('with data-ui the default UI stays away: no button, no prompts; the API still works', async () => {
    const v = await open('?attr.ui=custom');
    const { page } = v;
    await startSession(page, 'ui-custom');
    await call(page, 'showButton');
    // Console messages reach the test after the call returns.
    await expect.poll(() => v.console.at(-1)?.text).toBe('[cobrowse] showButton: the default visitor UI is off (data-ui is set): the site shows its own');
    const agent = await joinAsAgent(server, 'ui-custom');
    agent.send({ type: 'rc-request', enable: true });
    await waitForEvent(page, 'rcrequested');
    expect(await page.locator('.oc-ui').count()).toBe(0);
    expect(await page.getByRole('alertdialog').count()).toBe(0);
    expect(await page.evaluate(() => 'VisitorUI' in (window as unknown as { GLANCE: { Cobrowse: object } }).GLANCE.Cobrowse && (window as unknown as { GLANCE: { Cobrowse: { VisitorUI: { loaded: boolean } } } }).GLANCE.Cobrowse.VisitorUI.loaded)).toBe(false);
    expect(await payloads(page, 'rcrequested')).toHaveLength(1);
    await closeAll(agent);
  });
});
