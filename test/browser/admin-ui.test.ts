/**
 * The admin UI in real Chromium, on a laptop-sized window: an administrator signs in,
 * adds an agent, changes the masking selectors of the staging site and sees them applied
 * to the next session in that agent's viewer, then reads the session in the audit log.
 * Everything is reached through labels and roles, as a screen reader would.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import {
  TEST_DEMO_PASSWORD,
  TEST_DEMO_USERNAME,
  TEST_GROUP_ID,
  startTestServer,
  type TestServer,
} from '../helpers/start-server.js';
import { serveStatic, type StaticServer } from '../helpers/static-server.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/viewer');
const LAPTOP = { width: 1280, height: 720 } as const;
const STATE_TIMEOUT_MS = 20_000;

let browser: Browser;
let server: TestServer;
let site: StaticServer;

beforeAll(async () => {
  server = await startTestServer();
  const template = readFileSync(path.join(FIXTURES, 'visitor.html'), 'utf8');
  // The customer site, on its own origin.
  site = await serveStatic(FIXTURES, {
    '/visitor.html': () => ({
      type: 'text/html; charset=utf-8',
      body: template
        .replace(/\{\{SERVER\}\}/g, server.baseUrl)
        .replace(/\{\{GROUP\}\}/g, TEST_GROUP_ID),
    }),
  });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await server?.close();
});

/** Records script errors and CSP violations of a page. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
      errors.push(message.text());
  });
  return errors;
}

/** The page fits the window's width (no sideways scrolling on a laptop). */
async function expectNoSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, page.url()).toBeLessThanOrEqual(0);
}

/** A visitor on the customer page who starts a session with `key`. */
async function startVisitor(context: BrowserContext, key: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${site.url}/visitor.html`);
  await page.waitForFunction(() => 'GLANCE' in window);
  await page.evaluate(
    (k) =>
      new Promise<void>((resolve) => {
        const visitor = (
          window as unknown as {
            GLANCE: {
              Cobrowse: {
                Visitor: {
                  addEventListener(n: string, f: () => void): void;
                  startSession(k: string): void;
                };
              };
            };
          }
        ).GLANCE.Cobrowse.Visitor;
        visitor.addEventListener('sessionstart', () => resolve());
        visitor.startSession(k);
      }),
    key,
  );
  return page;
}

describe('admin UI in a browser', () => {
  it('signs in, adds an agent, masks an element for new sessions and shows the session in the audit log', async () => {
    const adminContext = await browser.newContext({ viewport: LAPTOP });
    const agentContext = await browser.newContext({ viewport: LAPTOP });
    const visitorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const admin = await adminContext.newPage();
      const adminErrors = watchErrors(admin);

      // Sign in: /admin sends us to the login form and back.
      await admin.goto(`${server.url}/admin`);
      expect(new URL(admin.url()).pathname).toBe('/login');
      await admin.getByLabel('Username').fill(TEST_DEMO_USERNAME);
      await admin.getByLabel('Password').fill(TEST_DEMO_PASSWORD);
      await admin.keyboard.press('Enter');
      await admin.waitForURL(`${server.url}/admin/groups`);
      await expect(admin.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Groups');
      await expectNoSidewaysScroll(admin);

      // Add an agent through the form, by its labels.
      await admin
        .getByRole('navigation', { name: 'Administration' })
        .getByRole('link', { name: 'Agents' })
        .click();
      await admin.getByRole('link', { name: 'Add an agent' }).click();
      await admin.getByLabel('Username').fill('grace');
      await admin.getByLabel('Display name').fill('Grace Hopper');
      await admin.getByLabel('Email').fill('grace@example.com');
      await admin.getByLabel('Partner user id').fill('crm-grace');
      await admin.getByLabel('Password', { exact: true }).fill('grace-password-123');
      await admin.getByLabel('Role').selectOption('agent');
      // Privileges are a labelled group of checkboxes; remote control is taken away.
      const privileges = admin.getByRole('group', { name: 'Privileges' });
      await privileges.getByLabel('Remote control').uncheck();
      await expect(privileges.getByLabel('View sessions').isChecked()).resolves.toBe(true);
      await expectNoSidewaysScroll(admin);
      await admin.getByRole('button', { name: 'Add agent' }).click();
      await admin.getByRole('status').filter({ hasText: 'The agent was added.' }).waitFor();
      await expect(admin.getByRole('heading', { level: 1 }).textContent()).resolves.toBe(
        'Agent grace',
      );

      // Mask the order total on the staging site.
      await admin
        .getByRole('navigation', { name: 'Administration' })
        .getByRole('link', { name: 'Groups' })
        .click();
      await admin.getByRole('link', { name: TEST_GROUP_ID, exact: true }).click();
      const staging = admin.getByRole('region', { name: 'Staging site settings' });
      await staging.getByLabel('Masked elements').fill('#total');
      await expectNoSidewaysScroll(admin);
      await staging.getByRole('button', { name: 'Save staging settings' }).click();
      await admin.getByRole('status').filter({ hasText: 'Staging settings saved.' }).waitFor();
      await expect(
        admin
          .getByRole('region', { name: 'Staging site settings' })
          .getByLabel('Masked elements')
          .inputValue(),
      ).resolves.toBe('#total');

      // A new session: the new agent signs in and watches it; the total is masked for them.
      const key = `admin-ui-${Date.now().toString(36)}`;
      const visitor = await startVisitor(visitorContext, key);
      const viewer = await agentContext.newPage();
      const viewerErrors = watchErrors(viewer);
      await viewer.goto(`${server.baseUrl}/agentjoin/AgentView.aspx?SessionKey=${key}&Wait=1`);
      await viewer.getByLabel('Username').fill('grace');
      await viewer.getByLabel('Password').fill('grace-password-123');
      await viewer.getByRole('button', { name: 'Sign in' }).click();
      await viewer.waitForURL((url) => url.pathname === '/agentjoin/AgentView.aspx');
      await viewer.waitForFunction(
        () =>
          document
            .querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame')
            ?.contentDocument?.querySelector('#title')?.textContent === 'Checkout',
        undefined,
        { timeout: STATE_TIMEOUT_MS },
      );
      const mirror = await viewer.evaluate(() => {
        const doc =
          document.querySelector<HTMLIFrameElement>('iframe.oc-mirror-frame')!.contentDocument!;
        const total = doc.querySelector('#total');
        return {
          exists: total !== null,
          text: total?.textContent ?? null,
          items: doc.querySelector('#items')?.textContent ?? '',
        };
      });
      // [MK2][MK4] the element is there (layout kept) but empty; the rest of the page is not masked.
      expect(mirror).toMatchObject({ exists: true, text: '' });
      expect(mirror.items).toContain('Blue mug');
      await expect(visitor.locator('#total').textContent()).resolves.toBe('Total: 42.00 EUR');

      // The audit log shows the session and who joined it.
      await admin
        .getByRole('navigation', { name: 'Administration' })
        .getByRole('link', { name: 'Audit log' })
        .click();
      await admin.getByLabel('Session key').fill(key);
      await admin.getByRole('button', { name: 'Filter' }).click();
      await admin.waitForURL((url) => url.searchParams.get('sessionKey') === key);
      const rows = admin.getByRole('row');
      await rows.filter({ hasText: 'Agent joined' }).filter({ hasText: 'grace' }).waitFor();
      await expect(rows.filter({ hasText: 'Session started' }).count()).resolves.toBe(1);
      await expectNoSidewaysScroll(admin);

      expect(adminErrors).toEqual([]);
      expect(viewerErrors).toEqual([]);
    } finally {
      await adminContext.close();
      await agentContext.close();
      await visitorContext.close();
    }
  });

  it('works from the keyboard alone: skip link, labelled fields, and errors that take the focus’s attention', async () => {
    const context = await browser.newContext({ viewport: LAPTOP });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/login?next=%2Fadmin%2Fgroups`);
      await page.getByLabel('Username').fill(TEST_DEMO_USERNAME);
      await page.getByLabel('Password').fill(TEST_DEMO_PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${server.url}/admin/groups`);

      // The first Tab reaches the skip link, which moves on to the content.
      await page.keyboard.press('Tab');
      await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe(
        'Skip to content',
      );
      await page.keyboard.press('Enter');
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('oc-main');

      // Create a group with a wrong id, from the keyboard.
      await page.getByLabel('Group id').focus();
      await page.keyboard.type('12');
      await page.keyboard.press('Tab');
      await page.keyboard.type('Keyboard bank');
      await page.keyboard.press('Enter');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      await expect(alert.textContent()).resolves.toContain('Group id: must be 4 to 6 digits');
      const field = page.getByLabel('Group id');
      await expect(field.getAttribute('aria-invalid')).resolves.toBe('true');
      // The error summary links to the field.
      await alert.getByRole('link', { name: /Group id/ }).click();
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('f-group-id');

      await field.fill('13579');
      await page.keyboard.press('Enter');
      // The answer page (a form post, then a new document) names the new group.
      await page.getByRole('heading', { level: 1, name: 'Group 13579 created' }).waitFor();
      await expect(page.getByLabel('API key', { exact: true }).inputValue()).resolves.toMatch(
        /^[A-Za-z0-9_-]{43}$/,
      );
    } finally {
      await context.close();
    }
  });
});
