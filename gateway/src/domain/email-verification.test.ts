import { describe, expect, it } from 'vitest';
import { accountMailFakes, mailedToken } from '../../test/account-mail-fakes.ts';

describe('EmailVerificationService', () => {
  it('mails a link to the app’s /verify-email page whose token verifies the account once', async () => {
    const f = accountMailFakes();
    const user = await f.addUser();
    await f.verification.send(user);
    expect(f.mail.sent).toHaveLength(1);
    expect(f.mail.sent[0]).toMatchObject({ to: 'ada@example.com', subject: 'Verify your email for lfusys' });
    const token = mailedToken(f.mail.sent, 'verify-email');
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(await f.verification.verify(token)).toMatchObject({ id: user.id, emailVerified: true });
    expect((await f.users.findById(user.id))?.emailVerified).toBe(true);
    await expect(f.verification.verify(token)).rejects.toMatchObject({ details: { reason: 'token_invalid' } });
  });

  it('refuses an expired link, and one mailed to an address the account no longer has', async () => {
    const f = accountMailFakes();
    const user = await f.addUser();
    await f.verification.send(user);
    const expired = mailedToken(f.mail.sent, 'verify-email');
    f.clock.ms += 24 * 3600 * 1000;
    await expect(f.verification.verify(expired)).rejects.toMatchObject({
      code: 'invalid_argument',
      details: { reason: 'token_expired' },
    });
    await f.verification.send(user);
    const stale = mailedToken(f.mail.sent, 'verify-email');
    // The account's address changes (an email change) after the link was mailed.
    f.users.byId.set(user.id, { ...user, email: 'new@example.com' });
    await expect(f.verification.verify(stale)).rejects.toMatchObject({ details: { reason: 'token_invalid' } });
    expect((await f.users.findById(user.id))?.emailVerified).toBe(false);
  });

  it('limits resends per user with a retry hint, and refuses a resend once verified', async () => {
    const f = accountMailFakes({ resendPerHour: 2 });
    const user = await f.addUser();
    await f.verification.resend(user.id);
    await f.verification.resend(user.id);
    await expect(f.verification.resend(user.id)).rejects.toMatchObject({
      code: 'too_many_requests',
      details: { limit: 'email_resend_per_user', max: 2 },
      retryAfterSeconds: expect.any(Number),
    });
    expect(f.mail.sent).toHaveLength(2);
    await f.verification.verify(mailedToken(f.mail.sent, 'verify-email'));
    f.clock.ms += 3600 * 1000;
    await expect(f.verification.resend(user.id)).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { reason: 'already_verified' },
    });
  });
});
