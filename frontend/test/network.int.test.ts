import { randomBytes } from 'node:crypto';
import type {} from '@lfusys/commons/vitest-global-setup';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type AppUnderTest,
  MiB,
  type RowSample,
  recordRow,
  rowSamples,
  sampleFile,
  sha256,
  signUp,
  smallChunks,
  startAppUnderTest,
  storedSha256,
  throttle,
} from './app-under-test.ts';

/**
 * The web app on a bad network (issue 12): offline in the middle of an upload, and a 1 Mbit/s
 * uplink. Chunks are small (256 KiB) so that a few MiB make many chunks in little time.
 */
let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest(inject('awsEndpoint'), smallChunks());
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

/** Answers of chunk PUTs the page received (status per request), and how many never got one. */
function watchChunks(page: Page): { statuses: number[]; unanswered: string[] } {
  const seen = { statuses: [] as number[], unanswered: [] as string[] };
  page.on('requestfinished', async (request) => {
    if (request.method() !== 'PUT' || !request.url().includes('/chunks/')) return;
    seen.statuses.push((await request.response())?.status() ?? 0);
  });
  page.on('requestfailed', (request) => {
    if (request.method() === 'PUT') seen.unanswered.push(request.failure()?.errorText ?? 'failed');
  });
  return seen;
}

function expectNeverBackwards(samples: RowSample[]): void {
  for (let i = 1; i < samples.length; i++) {
    expect(samples[i]?.acked, `sample ${i} of ${samples.length}`).toBeGreaterThanOrEqual(samples[i - 1]?.acked ?? 0);
  }
}

async function pick(page: Page, path: string, name: string): Promise<void> {
  await page.getByRole('link', { name: 'Upload files' }).click();
  await recordRow(page, name);
  await page.locator('input[type=file]').setInputFiles(path);
}

describe('the web app on a bad network', () => {
  it('rides out 20 s offline in the middle of an upload: it resumes by itself, nothing fails, the bytes are exact', async () => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await signUp(page, app.stack);
    const bytes = randomBytes(8 * MiB + 4321);
    const path = await sampleFile(app, 'offline.bin', bytes);
    const chunks = watchChunks(page);
    // Slow enough (2 MB/s) to be offline while the upload is under way.
    await throttle(page, 2_000_000);
    await pick(page, path, 'offline.bin');
    const row = page.locator('li[aria-label="offline.bin"]');
    await page.waitForFunction(() => {
      const acked = Number(document.querySelector<HTMLElement>('li[aria-label="offline.bin"]')?.dataset.acked ?? 0);
      return acked >= 2 * 256 * 1024;
    });

    await context.setOffline(true);
    await row.and(page.locator('[data-waiting=offline]')).waitFor({ timeout: 5000 });
    expect(await row.locator('.status').textContent()).toBe('Offline — will resume');
    const offlineSince = Date.now();
    await page.waitForTimeout(20_000);
    expect(await row.getAttribute('data-status')).toBe('uploading');
    await context.setOffline(false);

    await row.and(page.locator('[data-status=completed]')).waitFor({ timeout: 60_000 });
    const samples = await rowSamples(page);
    const offline = samples.filter((s) => s.waiting === 'offline');
    expect(offline.length).toBeGreaterThan(100);
    expect(Math.max(...offline.map((s) => s.at)) - offlineSince).toBeGreaterThanOrEqual(19_000);
    // Never failed, never a failure message, and the bar never went back.
    expect(samples.map((s) => s.status)).not.toContain('failed');
    expect(await row.getByRole('alert').count()).toBe(0);
    expectNeverBackwards(samples);
    expect(samples.at(-1)?.acked).toBe(bytes.length);
    // Requests cut by the outage got no answer; every answer the server gave was a success.
    expect(chunks.unanswered.length).toBeGreaterThan(0);
    expect(chunks.statuses.filter((status) => status !== 200)).toEqual([]);
    expect(await storedSha256(page, app.stack, 'offline.bin')).toBe(sha256(bytes));
    await context.close();
  }, 120_000);

  it('makes steady progress on a 1 Mbit/s uplink and completes', async () => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await signUp(page, app.stack);
    const bytes = randomBytes(3 * MiB + 999);
    const path = await sampleFile(app, 'slow.bin', bytes);
    const chunks = watchChunks(page);
    const rate = 125_000; // 1 Mbit/s
    await throttle(page, rate);
    const startedAt = Date.now();
    await pick(page, path, 'slow.bin');
    const row = page.locator('li[aria-label="slow.bin"]');
    await row.and(page.locator('[data-status=completed]')).waitFor({ timeout: 90_000 });
    const elapsed = Date.now() - startedAt;

    // The throttle held (the file cannot have gone faster than the link)...
    expect(elapsed).toBeGreaterThan((bytes.length / rate) * 1000 * 0.8);
    const samples = await rowSamples(page);
    expectNeverBackwards(samples);
    // ...and the acknowledged bytes shown grew step by step, never stuck for long.
    const uploading = samples.filter((s) => s.status === 'uploading');
    const steps = uploading.filter((s, i) => i > 0 && s.acked > (uploading[i - 1]?.acked ?? 0));
    expect(steps.length).toBeGreaterThanOrEqual(4);
    const increases = [uploading[0], ...steps].map((s) => s?.at ?? 0);
    const longestStill = Math.max(...increases.slice(1).map((at, i) => at - (increases[i] ?? 0)));
    expect(longestStill).toBeLessThan(20_000);
    expect(samples.map((s) => s.status)).not.toContain('failed');
    expect(samples.map((s) => s.waiting)).not.toContain('network');
    expect(chunks.statuses.filter((status) => status !== 200)).toEqual([]);
    expect(chunks.unanswered).toEqual([]);
    expect(await storedSha256(page, app.stack, 'slow.bin')).toBe(sha256(bytes));
    await context.close();
  }, 120_000);
});
