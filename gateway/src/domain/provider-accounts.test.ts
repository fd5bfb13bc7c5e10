import { AppError } from '@lfusys/commons';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryIdentityRepository } from '../adapters/memory-identity-repository.ts';
import { MemoryUserRepository } from '../adapters/memory-user-repository.ts';
import type { ProviderProfile } from '../oidc/identity-provider.ts';
import { ProviderAccounts } from './provider-accounts.ts';

let users: MemoryUserRepository;
let identities: MemoryIdentityRepository;
let accounts: ProviderAccounts;
let ids: number;

beforeEach(() => {
  users = new MemoryUserRepository();
  identities = new MemoryIdentityRepository();
  ids = 0;
  accounts = new ProviderAccounts({
    users,
    identities,
    clock: { now: () => Date.parse('2026-12-01T10:00:00Z') },
    newId: () => `user-${++ids}`,
  });
});

const profile = (over: Partial<ProviderProfile> = {}): ProviderProfile => ({
  subject: 'sub-1',
  email: 'Ada@Example.com',
  emailVerified: true,
  name: 'Ada Lovelace',
  ...over,
});

async function reasonOf(promise: Promise<unknown>): Promise<unknown> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return (err as AppError).details?.reason;
}

describe('ProviderAccounts.signIn', () => {
  it('creates a password-less user with the normalised email and links the identity', async () => {
    const user = await accounts.signIn('dev', profile());
    expect(user).toMatchObject({ id: 'user-1', email: 'ada@example.com', name: 'Ada Lovelace', bio: '' });
    expect(user.passwordHash).toBeUndefined();
    expect(await identities.findBySubject('dev', 'sub-1')).toMatchObject({
      userId: 'user-1',
      email: 'ada@example.com',
    });
  });

  it('signs a linked identity into its user even when the provider now reports another email', async () => {
    const first = await accounts.signIn('dev', profile());
    const again = await accounts.signIn('dev', profile({ email: 'new@example.com', emailVerified: false }));
    expect(again.id).toBe(first.id);
  });

  it('names the account after the email when the provider gives no name', async () => {
    expect((await accounts.signIn('dev', profile({ name: '  ' }))).name).toBe('ada');
  });

  it('refuses an unverified or missing email, creating nothing', async () => {
    expect(await reasonOf(accounts.signIn('dev', profile({ emailVerified: false })))).toBe('email_unverified');
    expect(await reasonOf(accounts.signIn('dev', profile({ email: '' })))).toBe('email_unverified');
    expect(users.byId.size).toBe(0);
  });

  const passwordAccount = (emailVerified: boolean) =>
    users.create({
      id: 'user-pw',
      email: 'ada@example.com',
      name: 'Ada',
      bio: '',
      emailVerified,
      passwordHash: '$argon2id$stub',
      createdAt: '2026-11-01T00:00:00.000Z',
      updatedAt: '2026-11-01T00:00:00.000Z',
    });

  it('links a verified provider email to the account whose email is verified too, and signs into it', async () => {
    await passwordAccount(true);
    const user = await accounts.signIn('dev', profile({ subject: 'dev-1' }));
    expect(user.id).toBe('user-pw');
    expect(await identities.findBySubject('dev', 'dev-1')).toMatchObject({ userId: 'user-pw' });
    expect(users.byId.size).toBe(1);
    // Later sign-ins go through the identity.
    expect((await accounts.signIn('dev', profile({ subject: 'dev-1' }))).id).toBe('user-pw');
  });

  it('never links to an account whose email is unverified: account_exists, nothing linked', async () => {
    await passwordAccount(false);
    expect(await reasonOf(accounts.signIn('dev', profile({ subject: 'other' })))).toBe('account_exists');
    expect(await identities.findBySubject('dev', 'other')).toBeNull();
    expect(users.byId.size).toBe(1);
  });

  it('never links a second identity of the same provider to one account: account_exists', async () => {
    await accounts.signIn('github', profile({ subject: 'gh-1' }));
    expect(await reasonOf(accounts.signIn('github', profile({ subject: 'gh-2' })))).toBe('account_exists');
    expect(await identities.findBySubject('github', 'gh-2')).toBeNull();
    // Another provider with the same verified email joins the provider-created (verified) account.
    expect((await accounts.signIn('dev', profile({ subject: 'dev-1' }))).id).toBe('user-1');
  });

  it('an account created by a provider sign-in has a verified email', async () => {
    expect((await accounts.signIn('dev', profile())).emailVerified).toBe(true);
  });

  it('refuses an email address we cannot store as provider_error', async () => {
    expect(await reasonOf(accounts.signIn('dev', profile({ email: 'not an email' })))).toBe('provider_error');
  });

  it('releases the identities of an account that no longer exists and starts afresh', async () => {
    const gone = await accounts.signIn('dev', profile());
    await users.delete(gone);
    const user = await accounts.signIn('dev', profile());
    expect(user.id).not.toBe(gone.id);
    expect(await identities.listForUser(gone.id)).toEqual([]);
  });
});

describe('ProviderAccounts.unlink', () => {
  it('refuses to unlink the only way to sign in', async () => {
    const user = await accounts.signIn('dev', profile());
    expect(await reasonOf(accounts.unlink(user.id, 'dev'))).toBe('last_sign_in_method');
  });

  it('unlinks when another identity remains', async () => {
    const user = await accounts.signIn('dev', profile());
    await identities.link({ provider: 'github', subject: 'gh', userId: user.id, email: user.email, linkedAt: 'now' });
    await accounts.unlink(user.id, 'dev');
    expect((await accounts.list(user.id)).map((i) => i.provider)).toEqual(['github']);
  });

  it('unlinks the last identity of an account that has a password', async () => {
    const user = await accounts.signIn('dev', profile());
    await users.update(user.id, { passwordHash: 'hash', updatedAt: 'now' });
    await accounts.unlink(user.id, 'dev');
    expect(await accounts.list(user.id)).toEqual([]);
  });

  it('answers not_found for a provider that is not linked', async () => {
    const user = await accounts.signIn('dev', profile());
    await expect(accounts.unlink(user.id, 'github')).rejects.toMatchObject({ code: 'not_found' });
  });
});
