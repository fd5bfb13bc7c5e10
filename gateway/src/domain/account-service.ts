import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { IdentityRepository } from '../ports/identity-repository.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { RefreshTokenStore } from '../ports/refresh-token-store.ts';
import type { UserFiles } from '../ports/user-files.ts';
import type { UserRecord, UserRepository } from '../ports/user-repository.ts';
import { normalizeEmail } from './email.ts';
import { assertAcceptablePassword } from './password-policy.ts';

export interface AccountDeps {
  users: UserRepository;
  tokens: RefreshTokenStore;
  hasher: PasswordHasher;
  clock: Clock;
  files: UserFiles;
  identities: IdentityRepository;
  /** Told of every login session this service ends, so this instance refuses its tokens at once. */
  sessionsEnded?: (familyIds: string[]) => void;
  /** Told after a password change so the owner gets a notice (sent in the background). */
  onPasswordChanged?: (user: UserRecord) => void;
}

/** The signed-in user's own profile, password and account. */
export class AccountService {
  constructor(private readonly deps: AccountDeps) {}

  /** The user behind a valid access token; `unauthenticated` once the account is gone. */
  async get(userId: string): Promise<UserRecord> {
    const user = await this.deps.users.findById(userId);
    if (!user) throw new AppError('unauthenticated', 'account no longer exists');
    return user;
  }

  async updateProfile(userId: string, changes: { name?: string; bio?: string }): Promise<UserRecord> {
    await this.get(userId);
    return this.deps.users.update(userId, {
      ...(changes.name !== undefined ? { name: changes.name.trim() } : {}),
      ...(changes.bio !== undefined ? { bio: changes.bio } : {}),
      updatedAt: this.nowIso(),
    });
  }

  /** Changes the password after re-checking the current one, and signs out every other session. */
  async changePassword(
    userId: string,
    input: { currentPassword: string; newPassword: string },
    currentFamilyId: string,
  ): Promise<void> {
    const user = await this.verifiedUser(userId, input.currentPassword);
    assertAcceptablePassword(input.newPassword, 'newPassword');
    if (input.newPassword === input.currentPassword) {
      throw new AppError('invalid_argument', 'new password must differ from the current one', {
        details: { field: 'newPassword' },
      });
    }
    const updated = await this.deps.users.update(user.id, {
      passwordHash: await this.deps.hasher.hash(input.newPassword),
      updatedAt: this.nowIso(),
    });
    this.deps.sessionsEnded?.(await this.deps.tokens.revokeUserFamilies(user.id, currentFamilyId));
    this.deps.onPasswordChanged?.(updated);
  }

  /**
   * Moves the account to another address after re-checking the password (OWASP ASVS V6.4: an
   * email change is a recovery-path change). The new address starts unverified; the caller mails
   * it a verification link and tells the old address.
   */
  async changeEmail(
    userId: string,
    input: { email: string; password: string },
  ): Promise<{ user: UserRecord; previousEmail: string }> {
    const user = await this.verifiedUser(userId, input.password);
    const email = normalizeEmail(input.email);
    if (email === user.email) {
      throw new AppError('invalid_argument', 'this is already your email', { details: { field: 'email' } });
    }
    return {
      user: await this.deps.users.changeEmail(user.id, user.email, email, this.nowIso()),
      previousEmail: user.email,
    };
  }

  /**
   * Deletes the account, its files and uploads, its email claim, its linked identities and every
   * login session, after re-checking the password. Files go first: if that fails the account and its sessions still
   * exist and the user can simply retry, rather than leaving files nobody can reach. From the first
   * step on, sessions' tombstone for the user refuses new uploads and chunks (DESIGN.md §9.3), so
   * the sessions can be ended after the data without a window for new data.
   */
  async deleteAccount(userId: string, password: string): Promise<void> {
    const user = await this.verifiedUser(userId, password);
    await this.deps.files.deleteAll(user.id);
    this.deps.sessionsEnded?.(await this.deps.tokens.revokeUserFamilies(user.id));
    await this.deps.users.delete(user);
    await this.deps.identities.deleteForUser(user.id);
    await this.deps.tokens.deleteUserData(user.id);
  }

  private async verifiedUser(userId: string, password: string): Promise<UserRecord> {
    const user = await this.get(userId);
    if (!user.passwordHash) {
      throw new AppError('failed_precondition', 'this account has no password yet; set one through "Forgot password"', {
        details: { reason: 'no_password' },
      });
    }
    if (!(await this.deps.hasher.verify(user.passwordHash, password))) {
      throw new AppError('permission_denied', 'current password is incorrect', { details: { field: 'password' } });
    }
    return user;
  }

  private nowIso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }
}
