import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import type {} from '@lfusys/commons/vitest-global-setup';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppUnderTest, KiB, MiB, sampleFile, signUp, smallChunks, startAppUnderTest } from './app-under-test.ts';

/**
 * Issue 17 for keyboard, screen-reader and phone users: axe-core on every page, focus that stays
 * put after every control, forms that say what went wrong where, and a 390×844 screen.
 */
const PASSWORD = 'browser password 123';
const PHONE = { width: 390, height: 844 };
const SCREENSHOTS = fileURLToPath(new URL('../../.local/screenshots', import.meta.url));
const LONG_NAME = `quarterly-report-${'final-version-'.repeat(6)}really-final.pdf`;
let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest(inject('awsEndpoint'), smallChunks());
  await mkdir(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

async function newPage(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await app.browser.newContext({ viewport });
  context.setDefaultTimeout(15_000);
  return context.newPage();
}

/** axe-core's WCAG 2.x A/AA rules on the page as it is now: every violation, by rule and target. */
async function violations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return results.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el?.getAttribute('aria-label') ?? el?.textContent?.trim() ?? '';
  });

async function upload(page: Page, name: string, bytes: number): Promise<void> {
  await page.goto(`${app.stack.gatewayBase}/uploads`);
  await page.locator('input[type=file]').setInputFiles(await sampleFile(app, name, randomBytes(bytes)));
  await page.locator(`li.upload[aria-label="${name}"][data-status=completed]`).waitFor({ timeout: 60_000 });
}

describe('accessibility of the web app', () => {
  it('has no axe-core violations on any page, signed out or in, with uploads and a file', async () => {
    const page = await newPage();
    const found: Record<string, string[]> = {};
    await page.goto(`${app.stack.gatewayBase}/`);
    found.landing = await violations(page);
    await page.goto(`${app.stack.gatewayBase}/forgot-password`);
    found.forgot = await violations(page);
    await page.goto(`${app.stack.gatewayBase}/no/such/page`);
    found.notFound = await violations(page);

    await signUp(page, app.stack);
    found.filesEmpty = await violations(page);
    await upload(page, 'photo.jpg', 300 * KiB);
    found.uploads = await violations(page);
    await page.screenshot({ path: join(SCREENSHOTS, '9-uploads-desktop.png'), fullPage: true });
    await page.getByRole('link', { name: 'Files' }).first().click();
    await page.locator('td.name .file-name').getByText('photo.jpg').waitFor();
    found.files = await violations(page);
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByRole('complementary', { name: /Uploads/ }).waitFor();
    found.profileWithPanel = await violations(page);
    expect(found).toEqual({
      landing: [],
      forgot: [],
      notFound: [],
      filesEmpty: [],
      uploads: [],
      files: [],
      profileWithPanel: [],
    });
    await page.context().close();
  }, 120_000);

  it('keeps focus on the control that replaced the one pressed: pause, resume, cancel', async () => {
    const page = await newPage();
    await signUp(page, app.stack);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: 500_000,
      uploadThroughput: 500_000,
    });
    await page.getByRole('link', { name: 'Upload files' }).click();
    await page.locator('input[type=file]').setInputFiles(await sampleFile(app, 'video.mp4', randomBytes(4 * MiB)));
    const row = page.locator('li.upload[aria-label="video.mp4"]');
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('li.upload')?.dataset.acked) > 0);

    await page.getByRole('button', { name: 'Pause video.mp4' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('Resume video.mp4');
    await page.keyboard.press('Enter');
    await expect.poll(() => focused(page)).toBe('Pause video.mp4');

    // Cancelling a file with bytes uploaded asks first; keeping it returns focus to Cancel.
    await page.getByRole('button', { name: 'Cancel video.mp4' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Cancel video.mp4?' });
    await dialog.getByText('already uploaded will be discarded').waitFor();
    expect(await violations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel upload' }).click();
    await row.and(page.locator('[data-status=cancelled]')).waitFor();
    await expect.poll(() => focused(page)).toBe('Clear video.mp4');
    // Cleared: the row is gone, focus goes to the page heading rather than the body.
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached' });
    await expect.poll(() => focused(page)).toBe('Uploads');
    await page.context().close();
  }, 120_000);

  it('keeps focus after rename and delete, and a delete question fits a 390×844 screen', async () => {
    const page = await newPage(PHONE);
    await signUp(page, app.stack);
    await upload(page, LONG_NAME, 10 * KiB);
    await upload(page, 'notes.txt', 10 * KiB);
    await page.getByRole('link', { name: 'Files' }).first().click();
    await page.locator('td.name .file-name').getByText('notes.txt').waitFor();

    await page.getByRole('button', { name: 'Rename notes.txt' }).click();
    const field = page.getByLabel('New name for notes.txt');
    expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
    // Save and Cancel keep their words on one line (no "Sa / ve").
    for (const name of ['Save', 'Cancel']) {
      const button = page.locator('form.inline').getByRole('button', { name, exact: true });
      expect(await button.evaluate((el) => el.scrollWidth <= el.clientWidth && el.getClientRects().length === 1)).toBe(
        true,
      );
      const box = await button.boundingBox();
      expect(box?.height ?? 99).toBeLessThan(45);
    }
    await field.fill('minutes.txt');
    await page.keyboard.press('Enter');
    await page.locator('td.name .file-name').getByText('minutes.txt').waitFor();
    await expect.poll(() => focused(page)).toBe('Rename minutes.txt');

    await page.getByRole('button', { name: `Delete ${LONG_NAME}` }).click();
    await expect.poll(() => focused(page)).toBe('Keep');
    const yes = page.getByRole('button', { name: 'Yes, delete' });
    const keep = page.getByRole('button', { name: 'Keep' });
    for (const button of [yes, keep]) {
      const box = await button.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.x ?? -1) >= 0 && (box?.x ?? 0) + (box?.width ?? 0) <= PHONE.width).toBe(true);
      expect((box?.y ?? -1) >= 0 && (box?.y ?? 0) + (box?.height ?? 0) <= PHONE.height).toBe(true);
      // Nothing (the upload panel) covers it.
      const hit = await button.evaluate((el) => {
        const r = el.getBoundingClientRect();
        return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
      });
      expect(hit).toBe(true);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(SCREENSHOTS, '10-delete-phone.png') });
    await keep.click();
    await expect.poll(() => focused(page)).toBe(`Delete ${LONG_NAME}`);

    await page.getByRole('button', { name: 'Delete minutes.txt' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await page.getByRole('status').filter({ hasText: '“minutes.txt” was deleted.' }).waitFor();
    await expect.poll(() => focused(page)).toBe('“minutes.txt” was deleted.');
    expect(await violations(page)).toEqual([]);
    await page.goto(`${app.stack.gatewayBase}/uploads`);
    await page.screenshot({ path: join(SCREENSHOTS, '11-uploads-phone.png'), fullPage: true });
    await page.context().close();
  }, 120_000);

  it('links form errors to their fields, offers "Sign in instead", and clears an error left behind', async () => {
    const page = await newPage();
    await signUp(page, app.stack);
    const email = await page.evaluate(
      async () => ((await (await fetch('/api/v1/auth/me')).json()) as { user: { email: string } }).user.email,
    );
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.title()).toBe('Sign in — lfusys');

    const signIn = page.getByRole('form', { name: 'Sign in' });
    await signIn.getByLabel('Email').fill(email);
    await signIn.getByLabel('Password').fill('not the password');
    await signIn.getByRole('button', { name: 'Sign in' }).click();
    const error = signIn.getByRole('alert');
    await error.waitFor();
    expect(await signIn.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    expect(await signIn.getByLabel('Password').getAttribute('aria-describedby')).toBe(await error.getAttribute('id'));
    expect(await violations(page)).toEqual([]);

    // Moving to the other form leaves the sign-in error behind.
    const register = page.getByRole('form', { name: 'Create an account' });
    await register.getByLabel('Name').focus();
    await error.waitFor({ state: 'detached' });

    await register.getByLabel('Name').fill('Twice');
    await register.getByLabel('Email').fill(email);
    await register.getByLabel(/^Password/).fill(PASSWORD);
    await register.getByRole('button', { name: 'Create account' }).click();
    await register.getByRole('alert').waitFor();
    await register.getByRole('button', { name: 'Sign in instead' }).click();
    expect(await signIn.getByLabel('Email').inputValue()).toBe(email);
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('password');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${app.stack.gatewayBase}/files`);
    await expect.poll(() => page.title()).toBe('Files — lfusys');
    await page.context().close();
  }, 120_000);
});
