import { createHash, randomBytes } from 'node:crypto';
import type {} from '@lfusys/commons/vitest-global-setup';
import type { Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppUnderTest, sampleFile, sha256, signUp, startAppUnderTest } from './app-under-test.ts';

/**
 * The web app's transfers in a real browser against the real backend (DESIGN.md §9.1, §9.2): the
 * deployment's default is direct, so parts go straight to storage on presigned URLs with their
 * SHA-256 signed in; a reload in the middle resumes in the mode the upload was opened with; and
 * the files page shows the whole-file SHA-256 the server verified. The relay variant rewrites the
 * open to ask for relay and proves the same for the path through the uploads workers.
 */
const MiB = 1024 * 1024;
const CHUNKS = 10;
let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest(inject('awsEndpoint'), {
    sessions: { CHUNK_SIZE_BYTES: String(MiB), UPLOAD_TRANSFER_DEFAULT: 'direct' },
  });
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

/** A PUT of a part to a presigned storage URL (direct), or of a chunk to the uploads workers (relay). */
function isPartPut(request: Request): boolean {
  if (request.method() !== 'PUT') return false;
  const url = new URL(request.url());
  return url.searchParams.has('partNumber') || url.pathname.includes('/chunks/');
}

/** The chunk index a part or chunk PUT carries. */
function indexOf(request: Request): number {
  const url = new URL(request.url());
  const partNumber = url.searchParams.get('partNumber');
  return partNumber === null ? Number(url.pathname.split('/chunks/')[1]) : Number(partNumber) - 1;
}

/** The user's only upload in progress, as the server describes it. */
async function serverUpload(page: Page): Promise<{ uploadId: string; receivedIndexes: number[]; transfer?: string }> {
  const api = app.stack.gatewayApi;
  const { uploads } = (await (await page.request.get(`${api}/uploads`)).json()) as { uploads: { uploadId: string }[] };
  const [first] = uploads;
  if (!first || uploads.length !== 1) throw new Error(`expected one upload in progress, found ${uploads.length}`);
  const detail = (await (await page.request.get(`${api}/uploads/${first.uploadId}`)).json()) as {
    upload: { transfer?: string };
    receivedIndexes: number[];
  };
  return { uploadId: first.uploadId, receivedIndexes: detail.receivedIndexes, transfer: detail.upload.transfer };
}

describe.each(['direct', 'relay'] as const)('the web app over %s transfer', (mode) => {
  it('uploads, survives a reload mid-upload, resumes in the same mode, and shows the verified SHA-256', async () => {
    const context = await app.browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.stack.gatewayBase });
    const page = await context.newPage();
    await signUp(page, app.stack);
    const bytes = randomBytes(CHUNKS * MiB - 12_345);
    const path = await sampleFile(app, `dataset-${mode}.bin`, bytes);
    if (mode === 'relay') await askForRelay(page);

    // First visit: four parts go through, the rest never get an answer (as if the network died).
    // Counted by index: a part the engine re-sends (a stalled first attempt on a cold machine) still
    // goes through, so exactly four distinct parts reach the server.
    const putHeaders: Record<string, string>[] = [];
    const forwarded = new Set<number>();
    await page.route(
      (url) => url.searchParams.has('partNumber') || url.pathname.includes('/chunks/'),
      async (route: Route) => {
        const request = route.request();
        if (request.method() !== 'PUT') return route.continue();
        putHeaders.push(await request.allHeaders());
        const index = indexOf(request);
        if (!forwarded.has(index) && forwarded.size >= 4) return; // never answered
        forwarded.add(index);
        return route.continue();
      },
    );
    await page.getByRole('link', { name: 'Upload files' }).click();
    await page.locator('input[type=file]').setInputFiles(path);
    const row = page.locator(`li[aria-label="dataset-${mode}.bin"]`);
    await row.and(page.locator(`[data-transfer=${mode}]`)).waitFor();
    await expect.poll(async () => (await serverUpload(page)).receivedIndexes.length, { timeout: 30_000 }).toBe(4);
    const before = await serverUpload(page);
    expect(before.transfer).toBe(mode);
    if (mode === 'direct') {
      // Every part PUT went to storage with the SHA-256 that its URL signed.
      for (const headers of putHeaders) expect(headers['x-amz-checksum-sha256']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }

    // Reload (the tab's requests die), then pick the same file again.
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.reload();
    await page.getByRole('heading', { name: 'Interrupted uploads' }).waitFor();
    const held = (await serverUpload(page)).receivedIndexes;
    const sentAfterReload: number[] = [];
    page.on('request', (request) => {
      if (isPartPut(request)) sentAfterReload.push(indexOf(request));
    });
    await page.locator('input[type=file]').setInputFiles(path);
    await row.and(page.locator('[data-status=completed]')).waitFor({ timeout: 60_000 });
    expect(await row.getAttribute('data-transfer')).toBe(mode);
    expect(await row.textContent()).toContain(`resumed, ${held.length} chunks already uploaded`);
    const missing = [...Array(CHUNKS).keys()].filter((index) => !held.includes(index));
    expect([...new Set(sentAfterReload)].sort((a, b) => a - b)).toEqual(missing);

    // The files page shows the SHA-256 the server verified: the file's own, and it copies.
    const hex = createHash('sha256').update(bytes).digest('hex');
    await page.getByRole('link', { name: 'Files' }).click();
    const fileRow = page.getByRole('row').filter({ hasText: `dataset-${mode}.bin` });
    await expect.poll(() => fileRow.locator('code[data-sha256]').textContent(), { timeout: 30_000 }).toBe(hex);
    await page.getByRole('button', { name: `Copy SHA-256 of dataset-${mode}.bin` }).click();
    await fileRow.getByText('Copied').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(hex);

    const { files } = (await (await page.request.get(`${app.stack.gatewayApi}/files`)).json()) as {
      files: { id: string; sha256?: string }[];
    };
    expect(files).toEqual([expect.objectContaining({ sha256: hex })]);
    const { url } = (await (
      await page.request.get(`${app.stack.gatewayApi}/files/${files[0]?.id}/download`)
    ).json()) as { url: string };
    expect(sha256(Buffer.from(await (await fetch(url)).arrayBuffer()))).toBe(sha256(bytes));
    await context.close();
  }, 120_000);
});

/** The app takes the server's default transfer; this page's opens ask for relay instead. */
async function askForRelay(page: Page): Promise<void> {
  await page.route(`${app.stack.gatewayApi}/uploads`, (route) => {
    const request = route.request();
    if (request.method() !== 'POST') return route.continue();
    const body = JSON.parse(request.postData() ?? '{}') as Record<string, unknown>;
    return route.continue({ postData: JSON.stringify({ ...body, transfer: 'relay' }) });
  });
}
