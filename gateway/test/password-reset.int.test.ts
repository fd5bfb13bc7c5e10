import { mailTo, readOutbox, tokenFromMail, waitForMail } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireToken } from './account-mail-helpers.ts';
import { newCredentials, type RunningGateway, signedInClient, startGateway, TestClient } from './harness.ts';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({ PASSWORD_FORGOT_PER_EMAIL_PER_HOUR: '3' });
});
afterAll(() => gw.close());

const NEW_PASSWORD = 'a completely new passphrase';

const RESET_SUBJECT = 'Reset your lfusys password';

/** Asks for a reset link and returns the token of the new mail. */
async function resetToken(email: string): Promise<string> {
  const after = (await mailTo(gw.outboxDir, email, RESET_SUBJECT)).length;
  const res = await new TestClient(gw.api).post('/auth/password/forgot', { email });
  expect(res.status).toBe(202);
  return tokenFromMail(await waitForMail(gw.outboxDir, email, RESET_SUBJECT, { after }), 'reset-password');
}

describe('POST /auth/password/forgot', () => {
  it('answers known and unknown addresses with the same status and body, mailing only the known one', async () => {
    const { creds } = await signedInClient(gw);
    const unknown = newCredentials().email;
    const anonymous = new TestClient(gw.api);
    const forUnknown = await anonymous.post('/auth/password/forgot', { email: unknown });
    const forKnown = await anonymous.post('/auth/password/forgot', { email: creds.email.toUpperCase() });
    expect(forKnown.status).toBe(202);
    expect(forUnknown.status).toBe(202);
    expect(forKnown.text).toBe(forUnknown.text);

    const mail = await waitForMail(gw.outboxDir, creds.email, RESET_SUBJECT);
    expect(mail.text).toMatch(/http:\/\/localhost:8080\/reset-password\?token=[A-Za-z0-9_-]{43}\s/);
    expect(mail.text).toContain('expires in 30 minutes');
    expect((await readOutbox(gw.outboxDir)).some((m) => m.to === unknown)).toBe(false);
  });

  it('limits requests per address, known or not, with the same 429 (Retry-After)', async () => {
    const { creds } = await signedInClient(gw);
    for (const email of [creds.email, newCredentials().email]) {
      const client = new TestClient(gw.api);
      for (let i = 0; i < 3; i++) expect((await client.post('/auth/password/forgot', { email })).status).toBe(202);
      const limited = await client.post('/auth/password/forgot', { email });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({
        error: { code: 'too_many_requests', details: { limit: 'password_forgot_per_email', max: 3 } },
      });
    }
  });

  it('answers 400 to a malformed address or body', async () => {
    const client = new TestClient(gw.api);
    for (const json of [{ email: 'not-an-address' }, { email: 7 }, {}, { email: 'a@b.io', extra: true }]) {
      const res = await client.request('POST', '/auth/password/forgot', { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
  });
});

describe('POST /auth/password/reset', () => {
  it('sets the password, ends every session (access and refresh refused), verifies the email and mails a notice', async () => {
    const { client: laptop, creds } = await signedInClient(gw);
    const phone = new TestClient(gw.api);
    expect((await phone.post('/auth/login', { email: creds.email, password: creds.password })).status).toBe(200);
    const token = await resetToken(creds.email);

    const res = await new TestClient(gw.api).post('/auth/password/reset', { token, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(204);

    for (const device of [laptop, phone]) {
      expect((await device.get('/auth/me')).status).toBe(401);
      expect((await device.post('/auth/refresh')).status).toBe(401);
    }
    const fresh = new TestClient(gw.api);
    expect((await fresh.post('/auth/login', { email: creds.email, password: creds.password })).status).toBe(401);
    const login = await fresh.post('/auth/login', { email: creds.email, password: NEW_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ user: { emailVerified: true } });
    const notice = await waitForMail(gw.outboxDir, creds.email, 'Your lfusys password was changed');
    expect(notice.text).toContain('http://localhost:8080/forgot-password');
  });

  it('refuses a used token and an expired one, changing nothing', async () => {
    const { creds } = await signedInClient(gw);
    const used = await resetToken(creds.email);
    expect(
      (await new TestClient(gw.api).post('/auth/password/reset', { token: used, newPassword: NEW_PASSWORD })).status,
    ).toBe(204);
    const replay = await new TestClient(gw.api).post('/auth/password/reset', {
      token: used,
      newPassword: 'yet another passphrase',
    });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatchObject({ error: { code: 'invalid_argument', details: { reason: 'token_invalid' } } });

    const expired = await resetToken(creds.email);
    await expireToken(gw, 'reset_password', expired);
    const late = await new TestClient(gw.api).post('/auth/password/reset', {
      token: expired,
      newPassword: 'yet another passphrase',
    });
    expect(late.status).toBe(400);
    expect(late.body).toMatchObject({ error: { details: { reason: 'token_expired' } } });
    const login = await new TestClient(gw.api).post('/auth/login', { email: creds.email, password: NEW_PASSWORD });
    expect(login.status).toBe(200);
  });

  it('applies the password policy before spending the token', async () => {
    const { creds } = await signedInClient(gw);
    const token = await resetToken(creds.email);
    const weak = await new TestClient(gw.api).post('/auth/password/reset', { token, newPassword: 'password1' });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({ error: { code: 'invalid_argument', details: { field: 'newPassword' } } });
    expect(
      (await new TestClient(gw.api).post('/auth/password/reset', { token, newPassword: NEW_PASSWORD })).status,
    ).toBe(204);
  });

  it('answers 400, never 5xx, to made-up and malformed tokens', async () => {
    const client = new TestClient(gw.api);
    for (const json of [
      { token: 'A'.repeat(43), newPassword: NEW_PASSWORD },
      { token: '', newPassword: NEW_PASSWORD },
      { token: 'x'.repeat(500), newPassword: NEW_PASSWORD },
      { token: 'abc' },
      { token: ['a'], newPassword: NEW_PASSWORD },
    ]) {
      const res = await client.request('POST', '/auth/password/reset', { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
    }
  });
});

describe('POST /users/me/password', () => {
  it('mails the "password was changed" notice', async () => {
    const { client, creds } = await signedInClient(gw);
    const res = await client.post('/users/me/password', { currentPassword: creds.password, newPassword: NEW_PASSWORD });
    expect(res.status).toBe(204);
    await waitForMail(gw.outboxDir, creds.email, 'Your lfusys password was changed');
  });
});
