import { randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import type { RefreshTokenStore } from '../ports/refresh-token-store.ts';
import type { UserRecord, UserRepository } from '../ports/user-repository.ts';
import { canonicalEmail, normalizeEmail } from './email.ts';
import { assertAcceptablePassword } from './password-policy.ts';
import { hashRefreshToken, newRefreshToken } from './refresh-token.ts';
import { boundUserAgent } from './user-agent.ts';

export interface AuthDeps {
  users: UserRepository;
  tokens: RefreshTokenStore;
  hasher: PasswordHasher;
  clock: Clock;
  /** Absolute lifetime of a login session (refresh-token family), in seconds. */
  refreshTtlSeconds: number;
  /** Told of every login session this service ends, so this instance refuses its tokens at once. */
  sessionsEnded?: (familyIds: string[]) => void;
  newId?: () => string;
}

/** Where a sign-in comes from, kept with the login session so its owner can recognise it. */
export interface SignInContext {
  /** The request's `User-Agent` header, as sent (it is trimmed and bounded here). */
  userAgent?: string | undefined;
}

/** A freshly issued refresh token: the value goes to the client once and is never stored. */
export interface IssuedSession {
  user: UserRecord;
  familyId: string;
  refreshToken: string;
  /** Epoch seconds. */
  expiresAt: number;
}

const INVALID_CREDENTIALS = 'invalid email or password';
const INVALID_SESSION = 'session expired or revoked; sign in again';

/** Registration, login and the refresh-token lifecycle (RFC 9700 §4.14.2 rotation with reuse detection). */
export class AuthService {
  private dummyHash: Promise<string> | undefined;
  private readonly newId: () => string;

  constructor(private readonly deps: AuthDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  async register(input: { name: string; email: string; password: string }): Promise<UserRecord> {
    const email = normalizeEmail(input.email);
    assertAcceptablePassword(input.password);
    const now = new Date(this.deps.clock.now()).toISOString();
    const user: UserRecord = {
      id: this.newId(),
      email,
      name: input.name.trim(),
      bio: '',
      emailVerified: false,
      passwordHash: await this.deps.hasher.hash(input.password),
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.users.create(user);
    return user;
  }

  /**
   * Same error and comparable work whether or not the email exists: an unknown email still runs
   * a verify against a dummy hash (OWASP Authentication Cheat Sheet, "Authentication responses").
   */
  async login(input: { email: string; password: string }, context: SignInContext = {}): Promise<IssuedSession> {
    // Looked up, not validated: an account made under an earlier, looser address rule signs in.
    const email = canonicalEmail(input.email);
    const user = email ? await this.deps.users.findByEmail(email) : null;
    // An account without a password (it signs in another way) is refused like an unknown email.
    if (!user?.passwordHash) {
      await this.deps.hasher.verify(await this.getDummyHash(), input.password);
      throw new AppError('unauthenticated', INVALID_CREDENTIALS);
    }
    if (!(await this.deps.hasher.verify(user.passwordHash, input.password))) {
      throw new AppError('unauthenticated', INVALID_CREDENTIALS);
    }
    const current = await this.upgradeHash(user, user.passwordHash, input.password);
    return this.startSession(current, context);
  }

  /**
   * Exchanges a refresh token for a new one. A token that was already exchanged means two parties
   * hold the family (a thief and the user): the whole family is revoked, including its newest token.
   */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    const hash = hashRefreshToken(refreshToken);
    const token = await this.deps.tokens.findToken(hash);
    if (!token) throw new AppError('unauthenticated', INVALID_SESSION);
    const family = await this.deps.tokens.findFamily(token.familyId);
    const nowSeconds = Math.floor(this.deps.clock.now() / 1000);
    if (!family || family.revoked || family.expiresAt <= nowSeconds) {
      throw new AppError('unauthenticated', INVALID_SESSION);
    }
    if (token.usedAt !== undefined) return this.revokeForReuse(token.familyId);
    const user = await this.deps.users.findById(token.userId);
    if (!user) throw new AppError('unauthenticated', INVALID_SESSION);
    const next = newRefreshToken();
    const rotated = await this.deps.tokens.rotate(
      hash,
      { hash: hashRefreshToken(next), familyId: family.familyId, userId: user.id, expiresAt: family.expiresAt },
      this.deps.clock.now(),
    );
    // Losing the conditional write means another request used this token at the same moment.
    if (!rotated) return this.revokeForReuse(token.familyId);
    return { user, familyId: family.familyId, refreshToken: next, expiresAt: family.expiresAt };
  }

  /** Ends the login session the refresh token belongs to; unknown tokens are ignored (logout is idempotent). */
  async logout(refreshToken: string): Promise<void> {
    const token = await this.deps.tokens.findToken(hashRefreshToken(refreshToken));
    if (!token) return;
    await this.deps.tokens.revokeFamily(token.familyId);
    this.deps.sessionsEnded?.([token.familyId]);
  }

  async startSession(user: UserRecord, context: SignInContext = {}): Promise<IssuedSession> {
    const familyId = this.newId();
    const refreshToken = newRefreshToken();
    const createdAt = this.deps.clock.now();
    const expiresAt = Math.floor(createdAt / 1000) + this.deps.refreshTtlSeconds;
    const userAgent = boundUserAgent(context.userAgent);
    await this.deps.tokens.startFamily(
      { familyId, userId: user.id, revoked: false, expiresAt, createdAt, ...(userAgent ? { userAgent } : {}) },
      hashRefreshToken(refreshToken),
    );
    return { user, familyId, refreshToken, expiresAt };
  }

  private async revokeForReuse(familyId: string): Promise<never> {
    await this.deps.tokens.revokeFamily(familyId);
    this.deps.sessionsEnded?.([familyId]);
    throw new AppError('unauthenticated', INVALID_SESSION, { details: { reason: 'refresh_token_reused' } });
  }

  private async upgradeHash(user: UserRecord, currentHash: string, password: string): Promise<UserRecord> {
    if (!this.deps.hasher.needsRehash(currentHash)) return user;
    const passwordHash = await this.deps.hasher.hash(password);
    return this.deps.users.update(user.id, { passwordHash, updatedAt: new Date(this.deps.clock.now()).toISOString() });
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= this.deps.hasher.hash(randomBytes(16).toString('hex'));
    return this.dummyHash;
  }
}
