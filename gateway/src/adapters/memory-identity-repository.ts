import { AppError } from '@lfusys/commons';
import { type IdentityRecord, type IdentityRepository, lastSignInMethod } from '../ports/identity-repository.ts';

const key = (provider: string, subject: string) => `${provider}\u0000${subject}`;

/**
 * In-memory identities for unit tests of the domain. Every check and its write run in one
 * synchronous step, as the DynamoDB adapter's conditional writes make them atomic.
 */
export class MemoryIdentityRepository implements IdentityRepository {
  private readonly bySubject = new Map<string, IdentityRecord>();

  async link(identity: IdentityRecord): Promise<void> {
    const taken = this.bySubject.has(key(identity.provider, identity.subject));
    if (taken || this.of(identity.userId).some((i) => i.provider === identity.provider)) {
      throw new AppError('already_exists', 'this identity is already linked');
    }
    this.bySubject.set(key(identity.provider, identity.subject), { ...identity });
  }

  async findBySubject(provider: string, subject: string): Promise<IdentityRecord | null> {
    const found = this.bySubject.get(key(provider, subject));
    return found ? { ...found } : null;
  }

  async listForUser(userId: string): Promise<IdentityRecord[]> {
    return this.of(userId).map((i) => ({ ...i }));
  }

  async unlink(userId: string, provider: string, options: { keepOne: boolean }): Promise<void> {
    const mine = this.of(userId);
    const found = mine.find((i) => i.provider === provider);
    if (!found) throw new AppError('not_found', 'no identity of this provider is linked');
    if (options.keepOne && mine.length === 1) throw lastSignInMethod();
    this.bySubject.delete(key(found.provider, found.subject));
  }

  async deleteForUser(userId: string): Promise<void> {
    for (const identity of this.of(userId)) this.bySubject.delete(key(identity.provider, identity.subject));
  }

  private of(userId: string): IdentityRecord[] {
    return [...this.bySubject.values()]
      .filter((i) => i.userId === userId)
      .sort((a, b) => a.provider.localeCompare(b.provider));
  }
}
