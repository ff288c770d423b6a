import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HAS_CHROMIUM, launchBrowser, openPage, PageErrors, screenshot } from '../support/browser.js';
import { detectFaces } from '../support/detect-faces.js';
import { cropAround, demoImage, HAS_LFW, lfwImage, variantOf } from '../support/face-images.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { writeY4m } from '../support/y4m.js';

/** An LFW person with several frontal photos: one enrols, the others are recognised. */
const PERSON = { name: 'Albert Costa', lfw: 'Albert_Costa', enrol: 2, recognise: 4, webcam: 6 };

const jpeg = (name: string, buffer: Buffer) => ({ name, mimeType: 'image/jpeg', buffer });

/**
 * The console's journeys in headless Chromium, through the real service and models: every step is
 * what a person would do (labels, buttons), and every check is on what the page shows. A journey
 * fails on any browser console error or page error.
 */
describe.skipIf(!HAS_CHROMIUM)('web console journeys (Chromium, real service and models)', () => {
  let t: TestApp;
  let browser: Browser;
  let page: Page;
  let adminKey: string;
  let dir: string;
  /** A face from the demo photos (always available), enrolled on the Enrol page. */
  let demoFace: Buffer;
  const errors = new PageErrors();

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_INFERENCE: '1000', RATE_LIMIT_DEFAULT: '5000' });
    adminKey = await t.key('admin');
    const sample = demoImage(1);
    const [largest] = await detectFaces(t.app, sample);
    demoFace = await cropAround(sample, largest!.box);
    // The fake camera shows the person's third photo where LFW is at hand, else the demo face.
    dir = await mkdtemp(path.join(tmpdir(), 'console-browser-'));
    const camera = path.join(dir, 'camera.y4m');
    await writeY4m(HAS_LFW ? lfwImage(PERSON.lfw, PERSON.webcam) : demoFace, camera);
    browser = await launchBrowser(camera);
    const context = await browser.newContext({ viewport: { width: 1180, height: 760 } });
    await context.grantPermissions(['camera'], { origin: t.baseUrl });
    page = errors.watch(await context.newPage());
  });

  afterEach(() => errors.expectNone());

  afterAll(async () => {
    await browser?.close();
    await t?.app.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a wrong key with the service’s message, then signs in and shows the key and the model', async () => {
    errors.allowStatus(401);
    await page.goto(`${t.baseUrl}/console/`);
    await screenshot(page, 'sign-in', false);
    await page.getByLabel('API key').fill('frk_live_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('error-message').textContent()).toBe('Invalid API key');

    await page.getByLabel('API key').fill(adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(await page.getByTestId('key-scopes').textContent()).toBe('admin');
    const { data: models } = await t.client(adminKey).GET('/api/v1/models');
    const licence = await page.getByTestId('licence-notice').textContent();
    expect(licence).toContain(models!.active.licence.summary);
    // The key is kept for the tab only: in sessionStorage, never in localStorage or the URL.
    expect(await page.evaluate<string[]>('Object.values(sessionStorage)')).toContain(adminKey);
    expect(await page.evaluate<number>('localStorage.length')).toBe(0);
    expect(page.url()).not.toContain(adminKey);
    await screenshot(page, 'overview');
  });

  it.skipIf(!HAS_LFW)(
    'recognises an unknown LFW photo, enrols it from the req_id, then recognises another photo',
    async () => {
      await openPage(page, 'Recognise');
      await page
        .getByLabel('Photo', { exact: true })
        .setInputFiles(jpeg('first.jpg', lfwImage(PERSON.lfw, PERSON.enrol)));
      const verdict = page.getByTestId('recognition-verdict');
      await expect.poll(() => verdict.textContent()).toContain('Unknown person');
      // Face marks are drawn once the photo has loaded, which may be after the verdict.
      await expect.poll(() => page.locator('.mark-unknown .mark-box').count()).toBe(1);

      // The "Enrol this person" form counts down to the req_id's expiry (24 h by default).
      const expiry = page.getByTestId('req-expiry');
      const before = await expiry.textContent();
      expect(before).toMatch(/for another 2[34] h \d\d min \d\d s/);
      await expect.poll(() => expiry.textContent(), { timeout: 3000 }).not.toBe(before);
      await screenshot(page, 'recognise-unknown');

      await page.getByLabel('Name', { exact: true }).fill(PERSON.name);
      await page.getByLabel('Birthdate', { exact: true }).fill('1975-06-25');
      await page.getByRole('button', { name: 'Enrol', exact: true }).click();
      await page.getByText(`Enrolled ${PERSON.name}`).waitFor();

      await page
        .getByLabel('Photo', { exact: true })
        .setInputFiles(jpeg('second.jpg', lfwImage(PERSON.lfw, PERSON.recognise)));
      await expect.poll(() => verdict.textContent()).toContain(`Recognised: ${PERSON.name}`);
      expect(await page.locator('.mark-match .mark-label').textContent()).toMatch(
        new RegExp(`^${PERSON.name} · \\d+\\.\\d %$`),
      );
      await screenshot(page, 'recognise-match');
    },
  );

  it('takes a photo with the webcam (a fake camera fed from a photo) and recognises it', async () => {
    await openPage(page, 'Recognise');
    await page.getByRole('button', { name: 'Use webcam' }).click();
    const video = page.getByLabel('Camera preview');
    await expect
      .poll(() => video.evaluate((element) => (element as unknown as { videoWidth: number }).videoWidth))
      .toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Take photo' }).click();
    const verdict = page.getByTestId('recognition-verdict');
    await expect.poll(() => verdict.textContent(), { timeout: 20_000 }).toMatch(/Recognised|Unknown person/);
    if (HAS_LFW) expect(await verdict.textContent()).toContain(`Recognised: ${PERSON.name}`);
    await expect.poll(() => page.locator('.mark-box').count()).toBeGreaterThanOrEqual(1);
    // The camera is released once the photo is taken.
    expect(await page.getByLabel('Camera preview').count()).toBe(0);
  });

  it('checks photos on the Enrol page before submitting, then enrols with the good one', async () => {
    await openPage(page, 'Enrol', 'Enrol a person');
    const noFace = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#8899aa' } })
      .jpeg()
      .toBuffer();
    const photos = page.getByLabel('Photos', { exact: true });
    await photos.setInputFiles(jpeg('group.jpg', demoImage(1)));
    await photos.setInputFiles(jpeg('wall.jpg', noFace));
    const cards = page.getByTestId('photo-card');
    await expect
      .poll(() => cards.nth(0).textContent())
      .toMatch(/\d faces in this photo: only the main one \(large and nearest the centre\) will be enrolled/);
    await expect.poll(() => cards.nth(1).textContent()).toContain('No face found in this photo');
    expect(await cards.nth(1).locator('.badge-error').textContent()).toBe('Refused');
    await page.getByLabel('Name', { exact: true }).fill('Demo Person');
    await page.getByLabel('Birthdate', { exact: true }).fill('1980-02-03');
    await page.getByLabel('E-mail (optional)', { exact: true }).fill('demo@example.com');
    const submit = page.getByRole('button', { name: 'Enrol', exact: true });
    expect(await submit.isDisabled()).toBe(true);
    await screenshot(page, 'enrol');

    await page.getByRole('button', { name: 'Remove Photo 2 (added to the person)' }).click();
    await page.getByRole('button', { name: 'Remove Photo 1 (enrols the person)' }).click();
    await photos.setInputFiles(jpeg('face.jpg', demoFace));
    await expect.poll(() => cards.nth(0).textContent()).toContain('Good photo');
    await submit.click();
    await page.getByText('Enrolled Demo Person with 1 photo').waitFor();
  });

  it('identifies the enrolled face among everyone, with the candidates listed', async () => {
    await openPage(page, 'Identify');
    await page
      .getByLabel('Photo', { exact: true })
      .setInputFiles(jpeg('probe.jpg', await variantOf(demoFace)));
    await page.getByRole('button', { name: 'Identify', exact: true }).click();
    const verdict = page.getByTestId('identify-verdict');
    await expect.poll(() => verdict.textContent()).toContain('Identified');
    expect(await verdict.locator('tbody tr').first().textContent()).toContain('Demo Person');
    expect(await page.locator('.mark-match .mark-label').textContent()).toContain('Demo Person');
    await screenshot(page, 'identify');
  });

  it('verifies two photos of the same face, with both faces outlined', async () => {
    await openPage(page, 'Verify');
    await page.getByLabel('First photo').setInputFiles(jpeg('a.jpg', demoFace));
    await page.getByLabel('Second photo').setInputFiles(jpeg('b.jpg', await variantOf(demoFace)));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await expect.poll(() => page.getByTestId('verify-verdict').textContent()).toContain('The same person');
    await expect.poll(() => page.locator('.mark-match .mark-box').count()).toBe(2);
    await screenshot(page, 'verify');
  });

  it('shows the envelope’s message for an upload that is not an image', async () => {
    errors.allowStatus(415);
    await openPage(page, 'Recognise');
    await page.getByLabel('Photo', { exact: true }).setInputFiles({
      name: 'notes.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from('these are not the pixels you are looking for'),
    });
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.first().textContent()).toContain('Not an image the service accepts');
    expect(await page.getByTestId('error-message').first().textContent()).toBe(
      'The upload is not an image in a supported format (JPEG, PNG, WebP, GIF, TIFF, AVIF)',
    );
  });

  it('finds a user, shows their faces from the stored crops, adds and removes a face, and edits them', async () => {
    await openPage(page, 'Users');
    await page.getByLabel('Contains', { exact: true }).fill('demo');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 user; page 1 of 1').waitFor();
    expect(page.url()).toContain('name=demo');
    await screenshot(page, 'users');
    await page.getByRole('link', { name: 'Demo Person' }).click();
    await page.getByRole('heading', { level: 1, name: 'Demo Person' }).waitFor();

    const faces = page.getByTestId('face-item');
    await expect.poll(() => faces.count()).toBe(1);
    const thumb = faces.first().locator('img');
    await expect
      .poll(() => thumb.evaluate((element) => (element as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    expect(await thumb.getAttribute('src')).toMatch(/^blob:/);

    await page.getByLabel('Add a face').setInputFiles(jpeg('more.jpg', await variantOf(demoFace)));
    await page.getByText('Face added.').waitFor();
    await expect.poll(() => faces.count()).toBe(2);
    await page.getByRole('button', { name: 'Remove face 2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove face' }).click();
    await expect.poll(() => faces.count()).toBe(1);

    await page.getByLabel('Name', { exact: true }).fill('Demo Person Jr');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('heading', { level: 1, name: 'Demo Person Jr' }).waitFor();
    await screenshot(page, 'user');
  });

  it('deletes a user after confirmation', async () => {
    const api = t.client(adminKey);
    const { data: before } = await api.GET('/api/v1/users', {
      params: { query: { name: 'Demo Person Jr' } },
    });
    const id = before!.items[0]!.id;
    await page.getByRole('button', { name: 'Delete user' }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('heading').textContent()).toBe('Delete Demo Person Jr?');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    const { response } = await api.GET('/api/v1/users/{id}', { params: { path: { id } } });
    expect(response.status).toBe(404);
  });

  it('shows the statistics the API reports, with a chart', async () => {
    await openPage(page, 'Statistics');
    const { data: stats } = await t.client(adminKey).GET('/api/v1/stats');
    const tiles = page.getByTestId('stats-tiles');
    await tiles.waitFor();
    expect(await tiles.textContent()).toContain(`Users${stats!.users}`);
    expect(await tiles.textContent()).toContain(
      `Recognitions served${stats!.recognitions.toLocaleString('en-US')}`,
    );
    expect(await page.locator('.chart svg rect.chart-bar').count()).toBeGreaterThanOrEqual(4);
    await screenshot(page, 'stats');
  });

  it('shows the model profile and its licence', async () => {
    await openPage(page, 'Model');
    const { data: models } = await t.client(adminKey).GET('/api/v1/models');
    await page.getByRole('heading', { name: `Profile ${models!.active.name}` }).waitFor();
    expect(await page.getByTestId('licence-notice').textContent()).toContain(models!.active.licence.summary);
    await screenshot(page, 'model');
  });

  it('fits a phone screen without scrolling sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await openPage(page, 'Recognise');
    await page.getByLabel('Photo', { exact: true }).setInputFiles(jpeg('group.jpg', demoImage(2)));
    await expect
      .poll(() => page.getByTestId('recognition-verdict').textContent())
      .toMatch(/Recognised|Unknown/);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await expect.poll(() => page.locator('.mark-box').count()).toBeGreaterThan(1);
    await screenshot(page, 'phone-recognise');
    await page.setViewportSize({ width: 1180, height: 760 });
  });
});
