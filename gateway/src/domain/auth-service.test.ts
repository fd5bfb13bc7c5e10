import { AppError } from '@lfusys/commons';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryIdentityRepository } from '../adapters/memory-identity-repository.ts';
import { MemoryRefreshTokenStore } from '../adapters/memory-refresh-token-store.ts';
import { MemoryUserRepository } from '../adapters/memory-user-repository.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import { AccountService } from './account-service.ts';
import { AuthService } from './auth-service.ts';
import { hashRefreshToken } from './refresh-token.ts';

/** A transparent hasher that records calls, so tests can see the dummy verify on unknown emails. */
class RecordingHasher implements PasswordHasher {
  verifies = 0;
  version = 'v1';
  async hash(password: string) {
    return `${this.version}:${password}`;
  }
  async verify(hash: string, password: string) {
    this.verifies += 1;
    return hash.slice(hash.indexOf(':') + 1) === password;
  }
  needsRehash(hash: string) {
    return !hash.startsWith(`${this.version}:`);
  }
}

const DAY = 24 * 3600;
let now: number;
let users: MemoryUserRepository;
let tokens: MemoryRefreshTokenStore;
let hasher: RecordingHasher;
let auth: AuthService;
let accounts: AccountService;
let erased: string[];
/** Login sessions the services reported ending (what lets this instance refuse their tokens at once). */
let ended: string[];
let eraseFails: boolean;
const creds = { name: ' Ada ', email: 'Ada@Example.com', password: 'analytical engine' };

beforeEach(() => {
  now = Date.parse('2026-01-01T00:00:00Z');
  users = new MemoryUserRepository();
  tokens = new MemoryRefreshTokenStore();
  hasher = new RecordingHasher();
  const clock = { now: () => now };
  ended = [];
  const sessionsEnded = (ids: string[]) => ended.push(...ids);
  auth = new AuthService({ users, tokens, hasher, clock, refreshTtlSeconds: 7 * DAY, sessionsEnded });
  erased = [];
  eraseFails = false;
  const files = {
    async deleteAll(userId: string) {
      if (eraseFails) throw new AppError('unavailable', 'sessions down');
      erased.push(userId);
    },
  };
  accounts = new AccountService({
    users,
    tokens,
    hasher,
    clock,
    files,
    identities: new MemoryIdentityRepository(),
    sessionsEnded,
  });
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

describe('AuthService.register', () => {
  it('normalises the email, trims the name and stores only a hash', async () => {
    const user = await auth.register(creds);
    expect(user).toMatchObject({ email: 'ada@example.com', name: 'Ada', bio: '' });
    expect(user.passwordHash).not.toBe(creds.password);
  });

  it('rejects weak passwords before touching storage', async () => {
    expect((await rejection(auth.register({ ...creds, password: 'password' }))).code).toBe('invalid_argument');
    expect(users.byId.size).toBe(0);
  });
});

describe('AuthService.login', () => {
  it('runs a password verify even for unknown emails and answers like a wrong password', async () => {
    await auth.register(creds);
    const unknown = await rejection(auth.login({ email: 'nobody@example.com', password: 'x'.repeat(10) }));
    expect(hasher.verifies).toBe(1);
    const wrong = await rejection(auth.login({ email: creds.email, password: 'x'.repeat(10) }));
    expect(hasher.verifies).toBe(2);
    expect([unknown.code, unknown.message]).toEqual([wrong.code, wrong.message]);
  });

  it('refuses to register an address a mailer would read otherwise, yet signs in an account made under the looser rule', async () => {
    const odd = { ...creds, email: '"v"<a@x.io>' };
    expect((await rejection(auth.register(odd))).code).toBe('invalid_argument');
    const made = '2025-12-01T00:00:00.000Z';
    await users.create({
      id: 'u-legacy',
      email: 'q"uote@example.com',
      name: 'Legacy',
      bio: '',
      emailVerified: true,
      passwordHash: await hasher.hash(creds.password),
      createdAt: made,
      updatedAt: made,
    });
    const { user } = await auth.login({ email: ' Q"uote@Example.com ', password: creds.password });
    expect(user.id).toBe('u-legacy');
  });

  it('rehashes a password stored with outdated parameters', async () => {
    await auth.register(creds);
    hasher.version = 'v2';
    const { user } = await auth.login(creds);
    expect(user.passwordHash).toBe(`v2:${creds.password}`);
  });
});

describe('AuthService.refresh', () => {
  it('rotates: the old token stops working and the new one works', async () => {
    await auth.register(creds);
    const first = await auth.login(creds);
    const second = await auth.refresh(first.refreshToken);
    expect(second.familyId).toBe(first.familyId);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.expiresAt).toBe(first.expiresAt);
    await expect(auth.refresh(second.refreshToken)).resolves.toMatchObject({ familyId: first.familyId });
  });

  it('revokes the family when an exchanged token is presented again', async () => {
    await auth.register(creds);
    const first = await auth.login(creds);
    const second = await auth.refresh(first.refreshToken);
    const reuse = await rejection(auth.refresh(first.refreshToken));
    expect(reuse.details).toEqual({ reason: 'refresh_token_reused' });
    expect((await tokens.findFamily(first.familyId))?.revoked).toBe(true);
    expect(ended).toEqual([first.familyId]);
    expect((await rejection(auth.refresh(second.refreshToken))).code).toBe('unauthenticated');
  });

  it('treats a lost race for the same token as reuse', async () => {
    await auth.register(creds);
    const session = await auth.login(creds);
    const results = await Promise.allSettled([auth.refresh(session.refreshToken), auth.refresh(session.refreshToken)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await tokens.findFamily(session.familyId))?.revoked).toBe(true);
  });

  it('ends a family at its absolute lifetime, however often it was refreshed', async () => {
    await auth.register(creds);
    let session = await auth.login(creds);
    now += 6 * DAY * 1000;
    session = await auth.refresh(session.refreshToken);
    now += DAY * 1000;
    expect((await rejection(auth.refresh(session.refreshToken))).code).toBe('unauthenticated');
  });

  it('stores tokens only as hashes', async () => {
    await auth.register(creds);
    const session = await auth.login(creds);
    expect(tokens.tokens.has(session.refreshToken)).toBe(false);
    expect(tokens.tokens.has(hashRefreshToken(session.refreshToken))).toBe(true);
  });

  it('logs out: the family is revoked and reported ended; an unknown token changes nothing', async () => {
    await auth.register(creds);
    const session = await auth.login(creds);
    const other = await auth.login(creds);
    await auth.logout('made-up');
    expect(ended).toEqual([]);
    await auth.logout(session.refreshToken);
    expect((await tokens.findFamily(session.familyId))?.revoked).toBe(true);
    expect((await tokens.findFamily(other.familyId))?.revoked).toBe(false);
    expect(ended).toEqual([session.familyId]);
  });

  it('rejects unknown tokens without revoking anything', async () => {
    await auth.register(creds);
    const session = await auth.login(creds);
    expect((await rejection(auth.refresh('made-up'))).code).toBe('unauthenticated');
    expect((await tokens.findFamily(session.familyId))?.revoked).toBe(false);
  });
});

describe('AccountService', () => {
  it('changes the password and revokes other sessions only', async () => {
    const user = await auth.register(creds);
    const here = await auth.login(creds);
    const elsewhere = await auth.login(creds);
    await accounts.changePassword(
      user.id,
      { currentPassword: creds.password, newPassword: 'difference engine' },
      here.familyId,
    );
    expect((await tokens.findFamily(here.familyId))?.revoked).toBe(false);
    expect((await tokens.findFamily(elsewhere.familyId))?.revoked).toBe(true);
    expect(ended).toEqual([elsewhere.familyId]);
    await expect(auth.login({ email: creds.email, password: 'difference engine' })).resolves.toBeDefined();
  });

  it('refuses to reuse the current password as the new one', async () => {
    const user = await auth.register(creds);
    const err = await rejection(
      accounts.changePassword(user.id, { currentPassword: creds.password, newPassword: creds.password }, 'f'),
    );
    expect(err.code).toBe('invalid_argument');
  });

  it('deletes the user, their files and every token', async () => {
    const user = await auth.register(creds);
    const one = await auth.login(creds);
    const two = await auth.login(creds);
    await accounts.deleteAccount(user.id, creds.password);
    expect(erased).toEqual([user.id]);
    expect(ended.sort()).toEqual([one.familyId, two.familyId].sort());
    expect(users.byId.size).toBe(0);
    expect(tokens.tokens.size).toBe(0);
    expect(tokens.families.size).toBe(0);
  });

  it('keeps the account when its files cannot be deleted, so the user can retry', async () => {
    const user = await auth.register(creds);
    const session = await auth.login(creds);
    eraseFails = true;
    expect((await rejection(accounts.deleteAccount(user.id, creds.password))).code).toBe('unavailable');
    expect(users.byId.size).toBe(1);
    // Its sessions too: the retry comes from the same signed-in session.
    expect(ended).toEqual([]);
    expect((await tokens.findFamily(session.familyId))?.revoked).toBe(false);
    eraseFails = false;
    await accounts.deleteAccount(user.id, creds.password);
    expect(users.byId.size).toBe(0);
  });

  it('deletes nothing when the password is wrong', async () => {
    const user = await auth.register(creds);
    expect((await rejection(accounts.deleteAccount(user.id, 'wrong password'))).code).toBe('permission_denied');
    expect(erased).toEqual([]);
    expect(users.byId.size).toBe(1);
  });
});
