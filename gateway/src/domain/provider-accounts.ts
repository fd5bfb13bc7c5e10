import { randomUUID } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import type { ProviderProfile } from '../oidc/identity-provider.ts';
import { signInError } from '../oidc/sign-in-error.ts';
import type { Clock } from '../ports/clock.ts';
import type { IdentityRecord, IdentityRepository } from '../ports/identity-repository.ts';
import type { UserRecord, UserRepository } from '../ports/user-repository.ts';
import { normalizeEmail } from './email.ts';
import { MAX_NAME_LENGTH } from './user.ts';

export interface ProviderAccountsDeps {
  users: UserRepository;
  identities: IdentityRepository;
  clock: Clock;
  newId?: () => string;
}

/**
 * Accounts reached through identity providers (DESIGN.md §9.4): which user a provider identity
 * signs into, and the user's linked identities.
 */
export class ProviderAccounts {
  private readonly newId: () => string;

  constructor(private readonly deps: ProviderAccountsDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  /**
   * The user this identity signs into: the one it is linked to; else, with a provider-verified
   * email, a new password-less account linked to it. An existing account with the same email is
   * never linked here: taking over an account by its email needs that account's own email to be
   * verified first, and users carry no verification yet, so the answer is `account_exists`.
   */
  async signIn(provider: string, profile: ProviderProfile): Promise<UserRecord> {
    const linked = await this.deps.identities.findBySubject(provider, profile.subject);
    if (linked) {
      const user = await this.deps.users.findById(linked.userId);
      if (user) return user;
      // The account went away without its identities (a crash mid-deletion): release them.
      await this.deps.identities.deleteForUser(linked.userId);
    }
    if (!profile.emailVerified || !profile.email) {
      throw signInError('email_unverified', `${provider} has no verified email for this account`);
    }
    const email = this.emailOf(provider, profile.email);
    const existing = await this.deps.users.findByEmail(email);
    if (existing) return this.linkExisting(provider, profile, existing, email);
    return this.createLinked(provider, profile, email);
  }

  /** The user's linked identities, ordered by provider. */
  list(userId: string): Promise<IdentityRecord[]> {
    return this.deps.identities.listForUser(userId);
  }

  /**
   * Unlinks a provider while another way to sign in remains: a password, or another identity
   * (checked by the repository against the list it writes, so two concurrent unlinks cannot
   * remove the last two).
   */
  async unlink(userId: string, provider: string): Promise<void> {
    const user = await this.deps.users.findById(userId);
    if (!user) throw new AppError('unauthenticated', 'account no longer exists');
    await this.deps.identities.unlink(userId, provider, { keepOne: !user.passwordHash });
  }

  /**
   * Links a provider identity to the account that has its email, when both sides proved control of
   * that address: the provider said it is verified (checked by the caller) and so did the account
   * (a mailed link, or a reset). Otherwise — or when the account already has another identity of
   * this provider — the sign-in is refused and the account is untouched.
   */
  private async linkExisting(
    provider: string,
    profile: ProviderProfile,
    user: UserRecord,
    email: string,
  ): Promise<UserRecord> {
    if (!user.emailVerified) throw accountExists(provider);
    const linked = await this.deps.identities.listForUser(user.id);
    if (linked.some((identity) => identity.provider === provider)) throw accountExists(provider);
    const now = new Date(this.deps.clock.now()).toISOString();
    try {
      await this.deps.identities.link({ provider, subject: profile.subject, userId: user.id, email, linkedAt: now });
    } catch (err) {
      // The same identity signed in twice at once and the other request linked it.
      if (AppError.isCode(err, 'already_exists')) return this.signIn(provider, profile);
      throw err;
    }
    return user;
  }

  private async createLinked(provider: string, profile: ProviderProfile, email: string): Promise<UserRecord> {
    const now = new Date(this.deps.clock.now()).toISOString();
    const user: UserRecord = {
      id: this.newId(),
      email,
      name: (profile.name.trim() || email.split('@')[0] || email).slice(0, MAX_NAME_LENGTH),
      bio: '',
      // The provider verified the address (signIn refuses it otherwise).
      emailVerified: true,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.deps.users.create(user);
    } catch (err) {
      // Another sign-in or registration claimed the email a moment ago.
      if (AppError.isCode(err, 'already_exists')) throw accountExists(provider);
      throw err;
    }
    try {
      await this.deps.identities.link({ provider, subject: profile.subject, userId: user.id, email, linkedAt: now });
    } catch (err) {
      // The same identity signed in twice at once and the other request linked it: keep that account.
      await this.deps.users.delete(user);
      if (AppError.isCode(err, 'already_exists')) return this.signIn(provider, profile);
      throw err;
    }
    return user;
  }

  private emailOf(provider: string, raw: string): string {
    try {
      return normalizeEmail(raw);
    } catch (err) {
      throw signInError('provider_error', `${provider} sent an email address we cannot use`, err);
    }
  }
}

function accountExists(provider: string): AppError {
  return signInError(
    'account_exists',
    `an account with this email already exists; sign in with its password (linking ${provider} needs the account's email verified)`,
  );
}
