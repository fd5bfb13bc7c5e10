import { describe, expect, it } from 'vitest';
import { accountMailFakes, mailedToken } from '../../test/account-mail-fakes.ts';

describe('PasswordResetService', () => {
  it('mails a reset link only to a known address, answering both the same way', async () => {
    const f = accountMailFakes();
    await f.addUser();
    await expect(f.reset.forgot(' ADA@example.com ')).resolves.toBeUndefined();
    await expect(f.reset.forgot('nobody@example.com')).resolves.toBeUndefined();
    await f.reset.settled();
    expect(f.mail.sent.map((m) => [m.to, m.subject])).toEqual([['ada@example.com', 'Reset your lfusys password']]);
  });

  it('sets the password, verifies the email, ends every session and mails a notice; the link works once', async () => {
    const f = accountMailFakes();
    const user = await f.addUser();
    await f.sessions.startFamily({ familyId: 'f1', userId: user.id, revoked: false, expiresAt: 9e9 }, 'h1');
    await f.sessions.startFamily({ familyId: 'f2', userId: user.id, revoked: false, expiresAt: 9e9 }, 'h2');
    await f.reset.forgot(user.email);
    await f.reset.settled();
    const token = mailedToken(f.mail.sent, 'reset-password');
    await f.reset.reset(token, 'a fresh passphrase');
    await f.reset.settled();
    expect(await f.users.findById(user.id)).toMatchObject({
      passwordHash: 'h:a fresh passphrase',
      emailVerified: true,
    });
    expect(f.ended.sort()).toEqual(['f1', 'f2']);
    expect((await f.sessions.findFamily('f1'))?.revoked).toBe(true);
    expect(f.mail.sent.at(-1)).toMatchObject({ to: user.email, subject: 'Your lfusys password was changed' });
    await expect(f.reset.reset(token, 'another passphrase')).rejects.toMatchObject({
      details: { reason: 'token_invalid' },
    });
  });

  it('keeps the link usable when the new password is refused, and refuses it once expired', async () => {
    const f = accountMailFakes();
    const user = await f.addUser();
    await f.reset.forgot(user.email);
    await f.reset.settled();
    const token = mailedToken(f.mail.sent, 'reset-password');
    await expect(f.reset.reset(token, 'password1')).rejects.toMatchObject({ details: { field: 'newPassword' } });
    f.clock.ms += 1800 * 1000;
    await expect(f.reset.reset(token, 'a fresh passphrase')).rejects.toMatchObject({
      details: { reason: 'token_expired' },
    });
    expect((await f.users.findById(user.id))?.passwordHash).toBe('h:old password here');
  });

  it('lets an account without a password set its first one', async () => {
    const f = accountMailFakes();
    const { passwordHash: _none, ...rest } = await f.addUser();
    f.users.byId.set(rest.id, rest);
    await f.reset.forgot(rest.email);
    await f.reset.settled();
    await f.reset.reset(mailedToken(f.mail.sent, 'reset-password'), 'my first passphrase');
    expect((await f.users.findById(rest.id))?.passwordHash).toBe('h:my first passphrase');
  });

  it('limits forgot requests per address whether or not it has an account', async () => {
    const f = accountMailFakes({ forgotPerHour: 2 });
    await f.addUser();
    for (const email of ['ada@example.com', 'nobody@example.com']) {
      await f.reset.forgot(email);
      await f.reset.forgot(email);
      await expect(f.reset.forgot(email)).rejects.toMatchObject({
        code: 'too_many_requests',
        details: { limit: 'password_forgot_per_email' },
      });
    }
  });

  it('reports a mail failure instead of answering differently', async () => {
    const f = accountMailFakes();
    await f.addUser();
    f.mail.send = async () => {
      throw new Error('smtp down');
    };
    await expect(f.reset.forgot('ada@example.com')).resolves.toBeUndefined();
    await f.reset.settled();
    expect(f.mailFailures).toHaveLength(1);
  });
});
