import { readOutbox, tokenFromMail, waitForMail } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireToken } from './account-mail-helpers.ts';
import { newCredentials, type RunningGateway, signedInClient, startGateway, TestClient } from './harness.ts';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway({ EMAIL_VERIFY_RESEND_PER_HOUR: '2' });
});
afterAll(() => gw.close());

const SUBJECT = 'Verify your email';

async function verificationToken(email: string): Promise<string> {
  return tokenFromMail(await waitForMail(gw.outboxDir, email, SUBJECT), 'verify-email');
}

describe('POST /auth/register', () => {
  it('creates an unverified account and mails a link to <PUBLIC_ORIGIN>/verify-email?token=', async () => {
    const creds = newCredentials();
    const res = await new TestClient(gw.api).post('/auth/register', creds);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user: { email: creds.email, emailVerified: false } });
    const mail = await waitForMail(gw.outboxDir, creds.email, SUBJECT);
    expect(mail.from).toBe('no-reply@localhost');
    expect(mail.text).toMatch(/http:\/\/localhost:8080\/verify-email\?token=[A-Za-z0-9_-]{43}\s/);
    expect(mail.text).not.toContain(creds.password);
  });
});

describe('POST /auth/email/verify', () => {
  it('verifies the account with the mailed token, once; a signed-in session sees it at once', async () => {
    const { client, creds } = await signedInClient(gw);
    const token = await verificationToken(creds.email);
    // No sign-in needed: the link may be opened in another browser.
    const res = await new TestClient(gw.api).post('/auth/email/verify', { token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { email: creds.email, emailVerified: true } });
    expect((await client.get('/auth/me')).body).toMatchObject({ user: { emailVerified: true } });

    const again = await new TestClient(gw.api).post('/auth/email/verify', { token });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({
      error: { code: 'invalid_argument', details: { field: 'token', reason: 'token_invalid' } },
    });
  });

  it('refuses an expired token with token_expired and leaves the account unverified', async () => {
    const { client, creds } = await signedInClient(gw);
    const token = await verificationToken(creds.email);
    await expireToken(gw, 'verify_email', token);
    const res = await client.post('/auth/email/verify', { token });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: 'invalid_argument', details: { reason: 'token_expired' } } });
    expect((await client.get('/auth/me')).body).toMatchObject({ user: { emailVerified: false } });
  });

  it('answers 400, never 5xx, to made-up, empty, oversized and mistyped tokens', async () => {
    const client = new TestClient(gw.api);
    const bodies = [
      { token: 'A'.repeat(43) },
      { token: '' },
      { token: 'x'.repeat(129) },
      { token: 42 },
      {},
      { token: 'a', x: 1 },
    ];
    for (const json of bodies) {
      const res = await client.request('POST', '/auth/email/verify', { json });
      expect(res.status, JSON.stringify(json)).toBe(400);
      expect(res.body).toMatchObject({ error: { code: 'invalid_argument' } });
    }
  });

  it('refuses a reset-password token: purposes do not mix', async () => {
    const { creds } = await signedInClient(gw);
    await new TestClient(gw.api).post('/auth/password/forgot', { email: creds.email });
    const resetToken = tokenFromMail(await waitForMail(gw.outboxDir, creds.email, 'Reset your'), 'reset-password');
    const res = await new TestClient(gw.api).post('/auth/email/verify', { token: resetToken });
    expect(res.body).toMatchObject({ error: { details: { reason: 'token_invalid' } } });
  });
});

describe('POST /auth/email/resend', () => {
  it('mails a new working link, and at most EMAIL_VERIFY_RESEND_PER_HOUR per user (429, Retry-After)', async () => {
    const { client, creds } = await signedInClient(gw);
    await verificationToken(creds.email);
    for (let i = 0; i < 2; i++) {
      const res = await client.post('/auth/email/resend');
      expect(res.status).toBe(202);
    }
    await waitForMail(gw.outboxDir, creds.email, SUBJECT, { after: 2 });
    const limited = await client.post('/auth/email/resend');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({
      error: { code: 'too_many_requests', details: { limit: 'email_resend_per_user', max: 2 } },
    });
    const sent = (await readOutbox(gw.outboxDir)).filter((m) => m.to === creds.email);
    expect(sent).toHaveLength(3);
    const latest = tokenFromMail(sent[2] ?? { text: '' }, 'verify-email');
    expect((await client.post('/auth/email/verify', { token: latest })).status).toBe(200);
  });

  it('refuses a resend for a verified email with already_verified, and requires a session', async () => {
    const { client, creds } = await signedInClient(gw);
    await client.post('/auth/email/verify', { token: await verificationToken(creds.email) });
    const res = await client.post('/auth/email/resend');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: 'failed_precondition', details: { reason: 'already_verified' } } });
    expect((await new TestClient(gw.api).post('/auth/email/resend')).status).toBe(401);
  });
});

describe('the unverified quota (UNVERIFIED_QUOTA_BYTES, 1 GiB by default)', () => {
  const GiB = 1024 ** 3;

  it('refuses an unverified account above 1 GiB with the quota error, and accepts it once verified', async () => {
    const { client, creds } = await signedInClient(gw);
    const open = (size: number) => client.post('/uploads', { fileName: 'big.iso', size, transfer: 'relay' });
    const refused = await open(GiB + 1);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      error: {
        code: 'permission_denied',
        message: expect.stringContaining('verify'),
        details: { reason: 'quota_exceeded', emailVerified: false, quotaBytes: GiB },
      },
    });
    expect((await open(GiB)).status).toBe(201);

    await client.post('/auth/email/verify', { token: await verificationToken(creds.email) });
    expect((await open(GiB + 1)).status).toBe(201);
  });

  it('GET /uploads/usage names the bytes used and the limits an open meets, before and after verifying', async () => {
    const { client, creds } = await signedInClient(gw);
    const usage = async () => {
      const res = await client.get('/uploads/usage');
      expect(res.status).toBe(200);
      return (res.body as { usage: { usedBytes: number; quotaBytes: number; maxFileBytes: number } }).usage;
    };
    // sessions' defaults: MAX_FILE_BYTES 50 GiB, USER_QUOTA_BYTES 100 GiB.
    expect(await usage()).toEqual({ usedBytes: 0, quotaBytes: GiB, maxFileBytes: 50 * GiB });
    const opened = await client.post('/uploads', { fileName: 'a.bin', size: 1234, transfer: 'relay' });
    expect((await usage()).usedBytes).toBe(1234);
    await client.request('DELETE', `/uploads/${(opened.body as { uploadId: string }).uploadId}`);
    expect((await usage()).usedBytes).toBe(0);

    await client.post('/auth/email/verify', { token: await verificationToken(creds.email) });
    expect((await usage()).quotaBytes).toBe(100 * GiB);
    expect((await new TestClient(gw.api).get('/uploads/usage')).status).toBe(401);
  });
});

describe('POST /users/me/email', () => {
  it('moves the account to an unverified new address: new link, notice to the old one, old links void', async () => {
    const { client, creds } = await signedInClient(gw);
    const oldLink = await verificationToken(creds.email);
    const next = newCredentials().email;
    const res = await client.post('/users/me/email', { email: next.toUpperCase(), password: creds.password });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: { email: next, emailVerified: false } });

    const notice = await waitForMail(gw.outboxDir, creds.email, 'Your lfusys email was changed');
    expect(notice.text).toContain(next);
    // The link mailed to the old address verifies nothing now.
    const stale = await client.post('/auth/email/verify', { token: oldLink });
    expect(stale.body).toMatchObject({ error: { details: { reason: 'token_invalid' } } });
    expect((await client.post('/auth/email/verify', { token: await verificationToken(next) })).status).toBe(200);

    // A verified account that moves is unverified again.
    const third = newCredentials().email;
    const again = await client.post('/users/me/email', { email: third, password: creds.password });
    expect(again.body).toMatchObject({ user: { email: third, emailVerified: false } });

    const fresh = new TestClient(gw.api);
    expect((await fresh.post('/auth/login', { email: creds.email, password: creds.password })).status).toBe(401);
    expect((await fresh.post('/auth/login', { email: third, password: creds.password })).status).toBe(200);
    // The old addresses are free again.
    expect((await fresh.post('/auth/register', { ...newCredentials(), email: creds.email })).status).toBe(201);
  });

  it('refuses a wrong password, a taken address, the same address and a malformed one, changing nothing', async () => {
    const { creds: other } = await signedInClient(gw);
    type Own = { email: string; password: string };
    const cases: Array<{ body: (own: Own) => object; status: number }> = [
      { body: (own) => ({ email: newCredentials().email, password: `${own.password}x` }), status: 403 },
      { body: (own) => ({ email: other.email, password: own.password }), status: 409 },
      { body: (own) => ({ email: own.email, password: own.password }), status: 400 },
      { body: (own) => ({ email: 'nope', password: own.password }), status: 400 },
      { body: () => ({ email: newCredentials().email }), status: 400 },
    ];
    for (const { body, status } of cases) {
      // Every attempt counts against the user's mail budget (EMAIL_VERIFY_RESEND_PER_HOUR=2 here): one user each.
      const { client, creds } = await signedInClient(gw);
      const json = body(creds);
      expect((await client.request('POST', '/users/me/email', { json })).status, JSON.stringify(json)).toBe(status);
      expect((await client.get('/auth/me')).body).toMatchObject({ user: { email: creds.email } });
    }
    const anonymous = await new TestClient(gw.api).post('/users/me/email', { email: 'x@example.com', password: 'p' });
    expect(anonymous.status).toBe(401);
  });

  it('counts changes against the per-user mail budget (429 with Retry-After)', async () => {
    const { client, creds } = await signedInClient(gw);
    for (let i = 0; i < 2; i++) {
      const res = await client.post('/users/me/email', { email: newCredentials().email, password: creds.password });
      expect(res.status).toBe(200);
    }
    const limited = await client.post('/users/me/email', { email: newCredentials().email, password: creds.password });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(limited.body).toMatchObject({ error: { details: { limit: 'email_resend_per_user' } } });
  });
});
