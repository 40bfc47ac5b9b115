/**
 * The console and the demo site in real Chromium: an agent signs in through the form, a
 * visitor starts co-browsing on the demo site (a second origin, as on a customer site),
 * the session appears in the console without a reload, and its Join link opens the viewer.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { TEST_DEMO_PASSWORD, startTestServer, type TestServer } from '../helpers/start-server.js';

describe('agent console in a browser', () => {
  let browser: Browser;
  let server: TestServer;

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startTestServer({ demoSite: true });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('signs in, sees a demo-site session appear live, and joins it', async () => {
    const agentContext = await browser.newContext();
    const visitorContext = await browser.newContext();
    try {
      const agent = await agentContext.newPage();
      const cspViolations: string[] = [];
      agent.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
      });

      // [AV2] The console sends us to the login form and back.
      await agent.goto(`${server.url}/console`);
      expect(new URL(agent.url()).pathname).toBe('/login');
      await agent.getByLabel('Username').fill('demo');
      await agent.getByLabel('Password').fill(TEST_DEMO_PASSWORD);
      await agent.getByRole('button', { name: 'Sign in' }).click();
      await agent.waitForURL(`${server.url}/console`);
      await expect(agent.getByRole('status').textContent()).resolves.toBe('0 live sessions');

      // The visitor starts co-browsing on the demo site and is shown a code.
      const visitor = await visitorContext.newPage();
      await visitor.goto(server.demoUrl!);
      await visitor.getByRole('button', { name: 'Start co-browsing' }).click();
      const codeElement = visitor.locator('#cb-code');
      await codeElement.waitFor({ state: 'visible' });
      await visitor.waitForFunction(() =>
        /^\d{4}$/.test(document.getElementById('cb-code')?.textContent ?? ''),
      );
      const code = (await codeElement.textContent())!;

      // The console's poll shows the session without a reload, and announces the count.
      const row = agent.getByRole('row').filter({ hasText: code });
      await row.waitFor();
      await agent.getByRole('status').filter({ hasText: '1 live session' }).waitFor();
      expect(await row.textContent()).toContain('Accounts — Lumen Bank');

      // Join opens the viewer for that key.
      await row.getByRole('link', { name: `Join session ${code}` }).click();
      await agent.waitForURL((url) => url.pathname === '/agentjoin/AgentView.aspx');
      expect(new URL(agent.url()).searchParams.get('SessionKey')).toBe(code);
      await agent.locator('#oc-viewer').waitFor({ state: 'attached' });

      // The visitor sees that an agent joined, then stops.
      await visitor
        .getByRole('status')
        .filter({ hasText: 'An agent is viewing this page.' })
        .waitFor();
      await visitor.getByRole('button', { name: 'Stop' }).click();
      await visitor.getByRole('button', { name: 'Start co-browsing' }).waitFor();

      expect(cspViolations).toEqual([]);
    } finally {
      await agentContext.close();
      await visitorContext.close();
    }
  });

  it('the join form opens the viewer for a typed key, waiting for it', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/login`);
      await page.getByLabel('Username').fill('demo');
      await page.getByLabel('Password').fill(TEST_DEMO_PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${server.url}/console`);
      await page.getByLabel('Session key or code').fill('crm-4711');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname === '/agentjoin/AgentView.aspx');
      const url = new URL(page.url());
      expect(url.searchParams.get('SessionKey')).toBe('crm-4711');
      expect(url.searchParams.get('Wait')).toBe('1');
    } finally {
      await context.close();
    }
  });
});
