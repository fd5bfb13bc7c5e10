import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Stack, type StackOptions, startStack } from '@lfusys/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';

/**
 * The real app, built into a directory of its own (test files run in parallel), served by a real
 * backend against the emulator, and a headless Chromium to drive it.
 */
export interface AppUnderTest {
  stack: Stack;
  browser: Browser;
  workDir: string;
  stop(): Promise<void>;
}

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const frontendDir = fileURLToPath(new URL('..', import.meta.url));

/**
 * Debian's Chromium, headless. Without the background-networking flags it keeps dialling Google's
 * hosts, which this closed network refuses many at a time.
 */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: \`make test\` installs it (apt-get install chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export async function startAppUnderTest(
  endpoint: string,
  env: StackOptions['env'] = {},
  uploadsWorkers = 2,
  stackOptions: Pick<StackOptions, 'gatewayPort'> = {},
): Promise<AppUnderTest> {
  const workDir = await mkdtemp(join(tmpdir(), 'lfusys-browser-'));
  const webAppDir = join(workDir, 'dist');
  await build({ root: frontendDir, logLevel: 'error', build: { outDir: webAppDir, emptyOutDir: true } });
  // The browser first: when it cannot start, no backend processes are left behind.
  const browser = await launchChromium();
  const stack = await startStack({
    endpoint,
    gateway: true,
    uploads: true,
    uploadsWorkers,
    webAppDir,
    env,
    ...stackOptions,
  }).catch(async (err: unknown) => {
    await browser.close();
    throw err;
  });
  return {
    stack,
    browser,
    workDir,
    async stop() {
      await browser.close();
      await stack.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

export const KiB = 1024;
export const MiB = 1024 * KiB;

/**
 * Sessions' settings for 256 KiB chunks (size and alignment), so that a few MiB make many chunks in
 * little time; `more` adds other sessions keys.
 */
export function smallChunks(more: Record<string, string> = {}): StackOptions['env'] {
  const chunk = String(256 * KiB);
  return { sessions: { CHUNK_SIZE_BYTES: chunk, CHUNK_ALIGN_BYTES: chunk, ...more } };
}

/** Limits the page's uplink and downlink to `bytesPerSecond` through the DevTools protocol. */
export async function throttle(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 20,
    downloadThroughput: bytesPerSecond,
    uploadThroughput: bytesPerSecond,
  });
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

let users = 0;

/** Creates an account through the sign-up form and lands on the (empty) file list. */
export async function signUp(page: Page, stack: Stack): Promise<void> {
  users += 1;
  await page.goto(`${stack.gatewayBase}/`);
  const form = page.getByRole('form', { name: 'Create an account' });
  await form.getByLabel('Name').fill(`Network ${users}`);
  await form.getByLabel('Email').fill(`network-${Date.now()}-${users}@example.com`);
  await form.getByLabel(/^Password/).fill('browser password 123');
  await form.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${stack.gatewayBase}/files`);
  await page.getByText('No files yet').waitFor();
}

export async function sampleFile(app: AppUnderTest, name: string, bytes: Buffer): Promise<string> {
  const path = join(app.workDir, name);
  await writeFile(path, bytes);
  return path;
}

/** The SHA-256 of the bytes the server holds for the user's only file named `name`. */
export async function storedSha256(page: Page, stack: Stack, name: string): Promise<string> {
  const { files } = (await (await page.request.get(`${stack.gatewayApi}/files`)).json()) as {
    files: Array<{ id: string; name: string }>;
  };
  const file = files.find((f) => f.name === name);
  if (!file) throw new Error(`no file ${name} on the server`);
  const { url } = (await (await page.request.get(`${stack.gatewayApi}/files/${file.id}/download`)).json()) as {
    url: string;
  };
  return sha256(Buffer.from(await (await fetch(url)).arrayBuffer()));
}

/** One look at a file's row, as the user sees it. */
export interface RowSample {
  at: number;
  /** Acknowledged bytes the row shows (`data-acked`). */
  acked: number;
  status: string;
  waiting: string;
  text: string;
}

/** Starts recording the row of `name` every 100 ms, in the page; {@link rowSamples} reads them. */
export async function recordRow(page: Page, name: string): Promise<void> {
  await page.evaluate((fileName) => {
    const samples: unknown[] = [];
    (window as unknown as { __rowSamples: unknown[] }).__rowSamples = samples;
    setInterval(() => {
      const row = document.querySelector<HTMLElement>(`li[aria-label="${fileName}"]`);
      if (!row) return;
      samples.push({
        at: Date.now(),
        acked: Number(row.dataset.acked ?? 0),
        status: row.dataset.status ?? '',
        waiting: row.dataset.waiting ?? '',
        text: row.querySelector('.status')?.textContent ?? '',
      });
    }, 100);
  }, name);
}

export async function rowSamples(page: Page): Promise<RowSample[]> {
  return page.evaluate(() => (window as unknown as { __rowSamples: RowSample[] }).__rowSamples);
}
