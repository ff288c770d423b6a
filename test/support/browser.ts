import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, chromium, type ConsoleMessage, type Page } from 'playwright-core';
import sharp from 'sharp';
import { expect } from 'vitest';

/** Debian's `chromium` package (CI installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);

/** `UPDATE_SCREENSHOTS=1` rewrites docs/screenshots; otherwise screenshots are taken but not kept. */
const SCREENSHOT_DIR = path.resolve('docs/screenshots');
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1';

/**
 * Headless Chromium. With `fakeCamera` (a .y4m file) the page gets a camera that plays it, and
 * the permission prompt is answered yes.
 */
export function launchBrowser(fakeCamera?: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: fakeCamera
      ? [
          '--use-fake-device-for-media-stream',
          '--use-fake-ui-for-media-stream',
          `--use-file-for-fake-video-capture=${fakeCamera}`,
        ]
      : [],
  });
}

/**
 * Everything a page logs as an error, and every uncaught exception: a journey fails on any of
 * them, except the network errors a test provokes on purpose (Chromium logs every 4xx response
 * of a fetch as "Failed to load resource"), which the test names with `allowStatus`.
 */
export class PageErrors {
  private readonly errors: string[] = [];
  private readonly allowed = new Set<number>();

  watch(page: Page): Page {
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() !== 'error') return;
      const status = /status of (\d{3})/.exec(message.text())?.[1];
      if (status && this.allowed.has(Number(status))) return;
      this.errors.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => this.errors.push(`page error: ${error.message}`));
    return page;
  }

  /** The test expects the service to refuse a request with this status. */
  allowStatus(status: number): void {
    this.allowed.add(status);
  }

  expectNone(): void {
    const errors = this.errors.splice(0);
    this.allowed.clear();
    expect(errors).toEqual([]);
  }
}

/** Signs in on the console's sign-in form and waits for the overview. */
export async function signIn(page: Page, baseUrl: string, key: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

/** Opens a page from the navigation, as a person would. */
export async function openPage(page: Page, label: string, heading = label): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Pages' })
    .getByRole('link', { name: label, exact: true })
    .click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/**
 * A screenshot of the page as it is. Kept under docs/screenshots when UPDATE_SCREENSHOTS=1, as a
 * palette PNG (a console screenshot has few colours, so this keeps each file small).
 */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  const png = await page.screenshot({ fullPage, animations: 'disabled', caret: 'hide' });
  if (!UPDATE_SCREENSHOTS) return;
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await sharp(png)
    .png({ palette: true, colours: 128, effort: 10, compressionLevel: 9 })
    .toFile(path.join(SCREENSHOT_DIR, `${name}.png`));
}
