import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {} from '@lfusys/commons/vitest-global-setup';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppUnderTest, startAppUnderTest } from './app-under-test.ts';

/** Two devices, told apart by their browsers as the devices list names them. */
const LAPTOP_UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const DESKTOP_UA = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const PASSWORD = 'browser password 123';
/** Screenshots of the main screens, refreshed by every run (README: "Screenshots"). */
const SCREENSHOTS = fileURLToPath(new URL('../../.local/screenshots', import.meta.url));

let app: AppUnderTest;
let browser: Browser;
beforeAll(async () => {
  app = await startAppUnderTest(inject('awsEndpoint'));
  browser = app.browser;
}, 180_000);
afterAll(() => app?.stop());

async function device(userAgent: string): Promise<Page> {
  const context = await browser.newContext({ userAgent, viewport: { width: 1100, height: 800 } });
  // Fail at the step that is stuck, well inside the test's own timeout.
  context.setDefaultTimeout(10_000);
  return context.newPage();
}

async function register(page: Page, email: string): Promise<void> {
  await page.goto(`${app.stack.gatewayBase}/`);
  const form = page.getByRole('form', { name: 'Create an account' });
  await form.getByLabel('Name').fill('Devices');
  await form.getByLabel('Email').fill(email);
  await form.getByLabel(/^Password/).fill(PASSWORD);
  await form.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${app.stack.gatewayBase}/files`);
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(`${app.stack.gatewayBase}/`);
  const form = page.getByRole('form', { name: 'Sign in' });
  await form.getByLabel('Email').fill(email);
  await form.getByLabel('Password').fill(PASSWORD);
  await form.getByRole('button', { name: 'Sign in' }).click();
  // Signed in, on whichever page the app returns to (the one the ended session was on, or Files).
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

const devicesSection = (page: Page) => page.getByRole('region', { name: 'Signed-in devices' });
const deviceRows = (page: Page) => devicesSection(page).locator('li.device');

describe('signed-in devices on the profile page', () => {
  it('lists both devices, signs the other one out after a confirmation, then every other device', async () => {
    const email = `devices-${Date.now()}@example.com`;
    const laptop = await device(LAPTOP_UA);
    const desktop = await device(DESKTOP_UA);
    await register(laptop, email);
    await signIn(desktop, email);

    await laptop.getByRole('link', { name: 'Profile' }).click();
    await expect.poll(() => deviceRows(laptop).count()).toBe(2);
    const thisDevice = deviceRows(laptop).filter({ hasText: 'This device' });
    expect(await thisDevice.locator('strong').textContent()).toBe('Chrome 131 on macOS');
    await devicesSection(laptop).getByText('Firefox 133 on Linux').waitFor();

    // Cancelling changes nothing.
    await laptop.getByRole('button', { name: 'Sign out Firefox 133 on Linux' }).click();
    const dialog = laptop.getByRole('dialog', { name: 'Sign out Firefox 133 on Linux?' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await deviceRows(laptop).count()).toBe(2);

    await mkdir(SCREENSHOTS, { recursive: true });
    await devicesSection(laptop).screenshot({ path: join(SCREENSHOTS, '6-devices.png') });
    await laptop.getByRole('button', { name: 'Sign out Firefox 133 on Linux' }).click();
    await dialog.getByRole('button', { name: 'Sign out' }).click();
    await devicesSection(laptop)
      .getByRole('status')
      .filter({ hasText: 'Firefox 133 on Linux was signed out.' })
      .waitFor();
    await expect.poll(() => deviceRows(laptop).count()).toBe(1);

    // The desktop's next request finds its session ended: the app says so in place, with a way to
    // sign in again (the page and any upload stay).
    await desktop.getByRole('link', { name: 'Profile' }).click();
    await desktop.getByRole('alert').filter({ hasText: 'Your session ended' }).waitFor();
    await desktop.getByRole('form', { name: 'Sign in again' }).waitFor();

    // Signed in again on the desktop, then "Sign out everywhere else" from the laptop.
    await signIn(desktop, email);
    await laptop.reload();
    await expect.poll(() => deviceRows(laptop).count()).toBe(2);
    await laptop.getByRole('button', { name: 'Sign out everywhere else' }).click();
    const everywhere = laptop.getByRole('dialog', { name: 'Sign out everywhere else?' });
    await everywhere.getByText('The other device will have to sign in again').waitFor();
    await everywhere.getByRole('button', { name: 'Sign out' }).click();
    await devicesSection(laptop)
      .getByRole('status')
      .filter({ hasText: 'Every other device was signed out.' })
      .waitFor();
    await expect.poll(() => deviceRows(laptop).count()).toBe(1);
    await laptop.getByRole('button', { name: 'Sign out everywhere else' }).waitFor({ state: 'detached' });

    // (Signing in again from a fresh load landed it on Files.)
    await desktop.getByRole('link', { name: 'Profile' }).click();
    await desktop.getByRole('alert').filter({ hasText: 'Your session ended' }).waitFor();
  });

  it('says so when the device was signed out meanwhile elsewhere', async () => {
    const email = `devices-race-${Date.now()}@example.com`;
    const laptop = await device(LAPTOP_UA);
    const desktop = await device(DESKTOP_UA);
    await register(laptop, email);
    await signIn(desktop, email);
    await laptop.goto(`${app.stack.gatewayBase}/profile`);
    await expect.poll(() => deviceRows(laptop).count()).toBe(2);

    // The desktop signs itself out before the laptop confirms.
    await desktop.getByRole('button', { name: 'Sign out' }).click();
    await desktop.getByRole('form', { name: 'Sign in' }).waitFor();

    await laptop.getByRole('button', { name: 'Sign out Firefox 133 on Linux' }).click();
    await laptop.getByRole('dialog').getByRole('button', { name: 'Sign out' }).click();
    await devicesSection(laptop)
      .getByRole('status')
      .filter({ hasText: 'Firefox 133 on Linux was already signed out.' })
      .waitFor();
    await expect.poll(() => deviceRows(laptop).count()).toBe(1);
  });
});
