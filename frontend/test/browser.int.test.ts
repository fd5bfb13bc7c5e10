import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type Stack, startStack } from '@lfusys/testkit';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium } from './app-under-test.ts';

/** A file's name on the files page (its cell also holds the verified SHA-256 and a copy button). */
const fileName = (page: Page, name: string) => page.locator('td.name .file-name').getByText(name, { exact: true });

/** The real app in headless Chromium against the real backend processes and the emulator. */
const frontendDir = fileURLToPath(new URL('..', import.meta.url));
const MiB = 1024 * 1024;
/** Screenshots of the main screens, refreshed by every run (README: "Screenshots"). */
const SCREENSHOTS = fileURLToPath(new URL('../../.local/screenshots', import.meta.url));
let stack: Stack;
let browser: Browser;
let workDir: string;

beforeAll(async () => {
  await build({ root: frontendDir, logLevel: 'warn' });
  stack = await startStack({
    endpoint: inject('awsEndpoint'),
    gateway: true,
    uploads: true,
    uploadsWorkers: 2,
    webAppDir: join(frontendDir, 'dist'),
    env: { sessions: { CHUNK_SIZE_BYTES: String(MiB) } },
  });
  browser = await launchChromium();
  workDir = await mkdtemp(join(tmpdir(), 'lfusys-browser-'));
  await mkdir(SCREENSHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');
let userCounter = 0;

async function signUp(page: Page): Promise<void> {
  userCounter += 1;
  await page.goto(`${stack.gatewayBase}/files`);
  // Anonymous: the protected page sends us to sign-in.
  await page.waitForURL(`${stack.gatewayBase}/`);
  const form = page.getByRole('form', { name: 'Create an account' });
  await form.getByLabel('Name').fill(`Browser ${userCounter}`);
  await form.getByLabel('Email').fill(`browser-${Date.now()}-${userCounter}@example.com`);
  await form.getByLabel(/^Password/).fill('browser password 123');
  await form.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${stack.gatewayBase}/files`);
  await page.getByText('No files yet').waitFor();
}

async function sampleFile(name: string, bytes: Buffer): Promise<string> {
  const path = join(workDir, name);
  await writeFile(path, bytes);
  return path;
}

describe('the web app in a real browser', () => {
  it('signs up, uploads two files, lists, downloads, renames, deletes, edits the profile and signs out', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
    await page.goto(`${stack.gatewayBase}/`);
    await page.screenshot({ path: join(SCREENSHOTS, '1-sign-in.png'), fullPage: true });
    await signUp(page);
    const big = randomBytes(40 * MiB + 4321);
    const small = randomBytes(3 * MiB + 17);
    await page.getByRole('link', { name: 'Upload files' }).click();
    await page
      .locator('input[type=file]')
      .setInputFiles([await sampleFile('holiday.mov', big), await sampleFile('notes.txt', small)]);
    // Progress moves: the big file's bar is seen strictly between 0 and 100.
    await page.waitForFunction(() => {
      const bar = document.querySelector<HTMLProgressElement>('progress[aria-label="holiday.mov progress"]');
      return bar !== null && bar.value > 0 && bar.value < 100;
    });
    await page.screenshot({ path: join(SCREENSHOTS, '2-uploading.png'), fullPage: true });
    for (const name of ['holiday.mov', 'notes.txt']) {
      await page.locator(`li[aria-label="${name}"][data-status=completed]`).waitFor({ timeout: 90_000 });
    }
    // The live region announced the change for screen readers.
    await page.getByRole('status').filter({ hasText: 'Complete' }).waitFor();

    await page.getByRole('link', { name: 'Files' }).click();
    await fileName(page, 'holiday.mov').waitFor();
    await fileName(page, 'notes.txt').waitFor();
    expect(await page.getByRole('row').count()).toBe(3);
    await page.screenshot({ path: join(SCREENSHOTS, '3-files.png'), fullPage: true });

    // Download = navigating to a presigned URL; the bytes never pass through page JavaScript.
    const navigation = page.waitForRequest((r) => r.url().includes('X-Amz-Signature'));
    await page.getByRole('button', { name: 'Download holiday.mov' }).click();
    const url = new URL((await navigation).url());
    expect(url.searchParams.get('response-content-disposition')).toContain("filename*=UTF-8''holiday.mov");
    const downloaded = Buffer.from(await (await fetch(url)).arrayBuffer());
    expect(sha256(downloaded)).toBe(sha256(big));

    await page.goto(`${stack.gatewayBase}/files`);
    await page.getByRole('button', { name: 'Rename notes.txt' }).click();
    await page.getByLabel('New name for notes.txt').fill('minutes.txt');
    await page.getByRole('button', { name: 'Save' }).click();
    await fileName(page, 'minutes.txt').waitFor();

    await page.getByRole('button', { name: 'Delete minutes.txt' }).click();
    await page.getByRole('button', { name: 'Yes, delete' }).click();
    await fileName(page, 'minutes.txt').waitFor({ state: 'detached' });
    expect(await page.getByRole('row').count()).toBe(2);

    await page.getByRole('link', { name: 'Profile' }).click();
    const about = page.getByRole('form', { name: 'About you' });
    await about.getByLabel('Name').fill('Ada Lovelace');
    await about.getByLabel('Bio').fill('Counts engines.');
    await about.getByRole('button', { name: 'Save' }).click();
    await about.getByText('Saved.').waitFor();
    await page.getByRole('banner').getByText('Ada Lovelace').waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, '4-profile.png'), fullPage: true });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(`${stack.gatewayBase}/files`);
    await page.waitForURL(`${stack.gatewayBase}/`);
    await page.close();
  }, 180_000);

  it('resumes after a reload: picking the same file again sends only the missing chunks', async () => {
    const page = await browser.newPage();
    await signUp(page);
    const bytes = randomBytes(12 * MiB);
    const path = await sampleFile('dataset.bin', bytes);
    const acknowledged = new Set<number>();
    let forwarded = 0;
    const indexOf = (url: string) => Number(url.split('/chunks/')[1]);

    // First visit: let four chunks through, then stall the rest (as if the network died).
    await page.route(`${stack.uploadsBase}/uploads/*/chunks/*`, async (route) => {
      const request = route.request();
      if (request.method() !== 'PUT') return route.continue();
      if (forwarded >= 4) return; // never answered
      forwarded += 1;
      const response = await route.fetch();
      if (response.status() === 200) acknowledged.add(indexOf(request.url()));
      return route.fulfill({ response });
    });
    await page.getByRole('link', { name: 'Upload files' }).click();
    await page.locator('input[type=file]').setInputFiles(path);
    await expect.poll(() => acknowledged.size, { timeout: 30_000 }).toBe(4);

    // Reload (the tab's in-flight requests die), then pick the same file again. A retry the engine
    // sends between unrouting and the reload may still land: it counts as held, not as re-sent.
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.reload();
    await page.getByRole('heading', { name: 'Interrupted uploads' }).waitFor();
    await page.getByText('dataset.bin').first().waitFor();
    // Nothing is sent again until the file is picked: listen from here on.
    const sentAfterReload: number[] = [];
    const statuses: string[] = [];
    page.on('requestfinished', async (r) => {
      if (r.method() === 'PUT') statuses.push(`${indexOf(r.url())}:${(await r.response())?.status()}`);
    });
    page.on('requestfailed', (r) => {
      if (r.method() === 'PUT') statuses.push(`${indexOf(r.url())}:failed ${r.failure()?.errorText}`);
    });
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().includes('/chunks/')) sentAfterReload.push(indexOf(r.url()));
    });
    // What the server holds now (the acknowledged chunks, and any stalled one that got through).
    const { uploads } = (await (await page.request.get(`${stack.gatewayApi}/uploads`)).json()) as {
      uploads: Array<{ uploadId: string }>;
    };
    expect(uploads).toHaveLength(1);
    const detail = (await (await page.request.get(`${stack.gatewayApi}/uploads/${uploads[0]?.uploadId}`)).json()) as {
      receivedIndexes: number[];
    };
    const held = detail.receivedIndexes;
    for (const index of acknowledged) expect(held).toContain(index);
    expect(held.length).toBeLessThan(12);

    await page.locator('input[type=file]').setInputFiles(path);
    const row = page.getByRole('listitem', { name: 'dataset.bin' }).and(page.locator('[data-status]'));
    await page.screenshot({ path: join(SCREENSHOTS, '5-resuming.png'), fullPage: true });
    await row.and(page.locator('[data-status=completed]')).waitFor({ timeout: 60_000 });
    expect(await row.textContent()).toContain(`resumed, ${held.length} chunks already uploaded`);

    // Only the chunks the server lacked were sent again (a retry of one of those is fine; a
    // chunk the server had recorded is never re-sent).
    const missing = [...Array(12).keys()].filter((i) => !held.includes(i));
    // (On failure the message lists each chunk request's outcome after the reload.)
    expect(
      [...new Set(sentAfterReload)].sort((a, b) => a - b),
      statuses.join(' '),
    ).toEqual(missing);
    for (const index of held) expect(sentAfterReload).not.toContain(index);

    const { url } = (await (
      await page.request.get(`${stack.gatewayApi}/files/${uploads[0]?.uploadId}/download`)
    ).json()) as { url: string };
    expect(sha256(Buffer.from(await (await fetch(url)).arrayBuffer()))).toBe(sha256(bytes));

    await page.getByRole('link', { name: 'Files' }).click();
    await fileName(page, 'dataset.bin').waitFor();
    await page.close();
  }, 120_000);

  it('rides out a lost answer to the open and failing chunk requests: one upload, the exact bytes', async () => {
    const page = await browser.newPage();
    await signUp(page);
    const bytes = randomBytes(6 * MiB + 999);
    const path = await sampleFile('flaky.bin', bytes);

    // The first open reaches the server, which opens the upload, but its answer is lost.
    let opens = 0;
    await page.route(`${stack.gatewayApi}/uploads`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      opens += 1;
      if (opens > 1) return route.continue();
      await route.fetch();
      return route.abort('connectionreset');
    });
    // Every other chunk request fails until 6 have: connections reset, and 503s from a worker.
    const faults: string[] = [];
    let puts = 0;
    await page.route(`${stack.uploadsBase}/uploads/*/chunks/*`, async (route) => {
      if (route.request().method() !== 'PUT') return route.continue();
      puts += 1;
      if (faults.length >= 6 || puts % 2 === 0) return route.continue();
      if (faults.length % 2 === 0) {
        faults.push('reset');
        return route.abort('connectionreset');
      }
      faults.push('503');
      return route.fulfill({
        status: 503,
        contentType: 'application/json',
        headers: { 'access-control-allow-origin': stack.gatewayBase },
        body: JSON.stringify({ error: { code: 'unavailable', message: 'injected by the test' } }),
      });
    });

    await page.getByRole('link', { name: 'Upload files' }).click();
    await page.locator('input[type=file]').setInputFiles(path);
    await page.locator('li[aria-label="flaky.bin"][data-status=completed]').waitFor({ timeout: 90_000 });
    expect(opens).toBe(2);
    expect(faults).toEqual(['reset', '503', 'reset', '503', 'reset', '503']);

    // The retried open got the first attempt's upload back: nothing else is left in progress, and
    // exactly one file holds the exact bytes.
    expect(
      ((await (await page.request.get(`${stack.gatewayApi}/uploads`)).json()) as { uploads: unknown[] }).uploads,
    ).toEqual([]);
    const { files } = (await (await page.request.get(`${stack.gatewayApi}/files`)).json()) as {
      files: Array<{ id: string; name: string; size: number }>;
    };
    expect(files).toEqual([expect.objectContaining({ name: 'flaky.bin', size: bytes.length })]);
    const { url } = (await (await page.request.get(`${stack.gatewayApi}/files/${files[0]?.id}/download`)).json()) as {
      url: string;
    };
    expect(sha256(Buffer.from(await (await fetch(url)).arrayBuffer()))).toBe(sha256(bytes));
    await page.close();
  }, 120_000);

  it('keeps protected pages behind sign-in and shows a 404 page', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.gatewayBase}/profile`);
    await page.waitForURL(`${stack.gatewayBase}/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(`${stack.gatewayBase}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    // API paths keep JSON 404s.
    const api = await page.request.get(`${stack.gatewayBase}/api/v1/nope`, { headers: { accept: 'text/html' } });
    expect(api.status()).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'not_found' } });
    await page.close();
  }, 60_000);
});
