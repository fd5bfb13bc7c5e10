import type {} from '@lfusys/commons/vitest-global-setup';
import { tokenFromMail, waitForMail } from '@lfusys/testkit';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppUnderTest, startAppUnderTest } from './app-under-test.ts';

/**
 * Password reset and email verification as a user does them: the web app in Chromium, the mail
 * read from the gateway's outbox (one .eml file per message), the mailed links opened in the page.
 */
let app: AppUnderTest;

beforeAll(async () => {
  app = await startAppUnderTest(inject('awsEndpoint'));
}, 180_000);

afterAll(async () => {
  await app?.stop();
});

let users = 0;
const PASSWORD = 'browser password 123';

/** Signs up through the form; returns the address, which the test then reads mail for. */
async function signUp(page: Page): Promise<string> {
  users += 1;
  const email = `mail-${Date.now()}-${users}@example.com`;
  await page.goto(`${app.stack.gatewayBase}/`);
  const form = page.getByRole('form', { name: 'Create an account' });
  await form.getByLabel('Name').fill(`Mail ${users}`);
  await form.getByLabel('Email').fill(email);
  await form.getByLabel(/^Password/).fill(PASSWORD);
  await form.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(`${app.stack.gatewayBase}/files`);
  return email;
}

describe('email verification in the browser', () => {
  it('shows the banner until the mailed link is opened, then a used link says so', async () => {
    const page = await app.browser.newPage();
    const email = await signUp(page);
    const banner = page.getByRole('complementary', { name: 'Verify your email' });
    await banner.waitFor();

    await banner.getByRole('button', { name: 'Resend the link' }).click();
    await banner.getByText(`A new link is on its way to ${email}.`).waitFor();
    const mail = await waitForMail(app.stack.outboxDir, email, 'Verify your email', { after: 1 });
    const link = `${app.stack.gatewayBase}/verify-email?token=${tokenFromMail(mail, 'verify-email')}`;
    expect(mail.text).toContain(link);

    await page.goto(link);
    await page.getByText(`Your email ${email} is verified.`).waitFor();
    // The one-time token does not stay in the address bar (or the history).
    expect(page.url()).toBe(`${app.stack.gatewayBase}/verify-email`);
    await page.getByRole('link', { name: 'Go to your files' }).click();
    await page.getByText('No files yet').waitFor();
    expect(await banner.count()).toBe(0);

    await page.goto(link);
    await page.getByRole('alert').getByText('this link is invalid or was already used').waitFor();
    await page.close();
  });
});

describe('email change in the browser', () => {
  it('changes the email on the profile page, and the banner asks to verify the new address', async () => {
    const page = await app.browser.newPage();
    await signUp(page);
    await page.getByRole('link', { name: 'Profile' }).click();
    const next = `changed-${Date.now()}@example.com`;
    const form = page.getByRole('form', { name: 'Email' });
    await form.getByLabel('New email').fill(next);
    await form.getByLabel('Your password, to confirm').fill('not my password');
    await form.getByRole('button', { name: 'Change email' }).click();
    await form.getByRole('alert').getByText('current password is incorrect').waitFor();
    await form.getByLabel('Your password, to confirm').fill(PASSWORD);
    await form.getByRole('button', { name: 'Change email' }).click();
    await form.getByText(`Open the link we sent to ${next} to verify it.`).waitFor();
    const banner = page.getByRole('complementary', { name: 'Verify your email' });
    await banner.getByText(`We sent a link to ${next}.`).waitFor();

    const mail = await waitForMail(app.stack.outboxDir, next, 'Verify your email');
    await page.goto(`${app.stack.gatewayBase}/verify-email?token=${tokenFromMail(mail, 'verify-email')}`);
    await page.getByText(`Your email ${next} is verified.`).waitFor();
    await page.close();
  });
});

describe('password reset in the browser', () => {
  it('goes from "Forgot password?" through the mailed link to signing in with the new password', async () => {
    const page = await app.browser.newPage();
    const email = await signUp(page);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${app.stack.gatewayBase}/`);

    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(`${app.stack.gatewayBase}/forgot-password`);
    const forgot = page.getByRole('form', { name: 'Forgot your password?' });
    await forgot.getByLabel('Email').fill(email);
    await forgot.getByRole('button', { name: 'Send the link' }).click();
    await page.getByText('If an account uses this address, a link is on its way.').waitFor();
    const mail = await waitForMail(app.stack.outboxDir, email, 'Reset your lfusys password');

    await page.goto(`${app.stack.gatewayBase}/reset-password?token=${tokenFromMail(mail, 'reset-password')}`);
    await page.waitForURL(`${app.stack.gatewayBase}/reset-password`);
    await page.getByLabel(/^New password/).fill('password1');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel(/^New password/).fill('a brand new browser passphrase');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('Your new password is set and every device was signed out.').waitFor();
    await waitForMail(app.stack.outboxDir, email, 'Your lfusys password was changed');

    await page.getByRole('link', { name: 'Sign in with your new password' }).click();
    const form = page.getByRole('form', { name: 'Sign in' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Password').fill('a brand new browser passphrase');
    await form.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${app.stack.gatewayBase}/files`);
    await page.close();
  });

  it('says a made-up or used link does not work and offers a new one', async () => {
    const page = await app.browser.newPage();
    await page.goto(`${app.stack.gatewayBase}/reset-password?token=${'A'.repeat(43)}`);
    await page.getByLabel(/^New password/).fill('a brand new browser passphrase');
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await page.getByRole('link', { name: 'Ask for a new link' }).click();
    await page.waitForURL(`${app.stack.gatewayBase}/forgot-password`);
    await page.close();
  });
});
