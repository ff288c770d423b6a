import 'reflect-metadata';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchBrowser, openPage, PageErrors, screenshot, signIn } from '../support/browser.js';
import { demoImage } from '../support/face-images.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * Keys in the console: an admin creates a narrower key (its secret shown once), that key sees only
 * the pages its scopes allow (and the API refuses the rest anyway), and revoking it signs it out.
 */
describe.skipIf(!HAS_CHROMIUM)('web console access (Chromium, real service)', () => {
  let t: TestApp;
  let browser: Browser;
  let admin: Page;
  let limited: Page;
  let adminKey: string;
  let createdKey: string;
  const errors = new PageErrors();

  const open = async (context: BrowserContext) => errors.watch(await context.newPage());

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_INFERENCE: '1000', RATE_LIMIT_DEFAULT: '5000' });
    adminKey = await t.key('admin');
    browser = await launchBrowser();
    const adminContext = await browser.newContext({ viewport: { width: 1180, height: 760 } });
    await adminContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.baseUrl });
    admin = await open(adminContext);
    // A separate context: its own sessionStorage, as another person's browser would have.
    limited = await open(await browser.newContext({ viewport: { width: 1180, height: 760 } }));
  });

  afterEach(() => errors.expectNone());

  afterAll(async () => {
    await browser?.close();
    await t?.app.close();
  });

  it('creates a key with chosen scopes and limits, showing its secret once with a copy button', async () => {
    await signIn(admin, t.baseUrl, adminKey);
    await openPage(admin, 'API keys');
    await admin.getByLabel('Name', { exact: true }).fill('front desk');
    await admin.getByLabel('Inference requests per minute').fill('30');
    await admin.getByRole('button', { name: 'Create key' }).click();
    const secret = admin.getByTestId('new-key');
    await secret.waitFor();
    createdKey = await secret.inputValue();
    expect(createdKey).toMatch(/^frk_live_[0-9A-Za-z]{8}_[0-9A-Za-z]{43}$/);

    await admin.getByRole('button', { name: 'Copy key' }).click();
    await admin.getByText('Copied', { exact: true }).waitFor();
    expect(await admin.evaluate<string>('navigator.clipboard.readText()')).toBe(createdKey);

    const row = admin.getByTestId('api-key-row').filter({ hasText: 'front desk' });
    expect(await row.textContent()).toContain('recognise');
    expect(await row.textContent()).toContain('default / 30 inference');
    await screenshot(admin, 'api-keys');

    await admin.getByRole('button', { name: 'I have copied it; hide the key' }).click();
    expect(await admin.getByTestId('new-key').count()).toBe(0);
    expect(await admin.content()).not.toContain(createdKey);
  });

  it('shows a recognise-only key its scopes and hides the pages it cannot use', async () => {
    await signIn(limited, t.baseUrl, createdKey);
    expect(await limited.getByTestId('key-scopes').textContent()).toBe('recognise');
    const nav = limited.getByRole('navigation', { name: 'Pages' });
    const links = (await nav.getByRole('listitem').allTextContents()).map((text) => text.trim());
    expect(links).toEqual(['Overview', 'Recognise', 'Verify', 'Identify', 'Model']);
    expect(await limited.getByText('Not with this key').textContent()).toContain('API keys (needs admin)');

    for (const route of ['api-keys', 'users', 'stats', 'enrol']) {
      await limited.goto(`${t.baseUrl}/console/${route}`);
      await limited.getByRole('heading', { level: 1, name: 'Not available with this key' }).waitFor();
    }
    // Hiding is a courtesy: the API itself refuses the key.
    const { response } = await t.client(createdKey).GET('/api/v1/api-keys');
    expect(response.status).toBe(403);
  });

  it('recognises with the narrow key but offers no enrolment it could not do', async () => {
    await limited.goto(`${t.baseUrl}/console/recognise`);
    await limited.getByRole('heading', { level: 1, name: 'Recognise' }).waitFor();
    await limited.getByLabel('Photo', { exact: true }).setInputFiles({
      name: 'group.jpg',
      mimeType: 'image/jpeg',
      buffer: demoImage(3),
    });
    await expect
      .poll(() => limited.getByTestId('recognition-verdict').textContent())
      .toContain('Unknown person');
    await limited.getByText('This key cannot enrol people').waitFor();
    expect(await limited.getByRole('heading', { name: 'Enrol this person' }).count()).toBe(0);
  });

  it('signs the key out once an admin revokes it', async () => {
    errors.allowStatus(401);
    const row = admin.getByTestId('api-key-row').filter({ hasText: 'front desk' });
    await row.getByRole('button', { name: 'Revoke front desk' }).click();
    await admin.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => row.textContent()).toContain('Revoked');

    await openPage(limited, 'Recognise');
    await limited.getByLabel('Photo', { exact: true }).setInputFiles({
      name: 'group.jpg',
      mimeType: 'image/jpeg',
      buffer: demoImage(3),
    });
    await limited.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await limited.getByTestId('error-message').textContent()).toBe('This API key has been revoked');
    expect(await limited.evaluate<number>('sessionStorage.length')).toBe(0);
  });
});
