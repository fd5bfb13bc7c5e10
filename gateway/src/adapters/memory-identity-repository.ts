import { AppError } from '@lfusys/commons';
import type { IdentityRecord, IdentityRepository } from '../ports/identity-repository.ts';

const key = (provider: string, subject: string) => `${provider}\u0000${subject}`;

/** In-memory identities for unit tests of the domain. */
export class MemoryIdentityRepository implements IdentityRepository {
  private readonly bySubject = new Map<string, IdentityRecord>();

  async link(identity: IdentityRecord): Promise<void> {
    const mine = await this.listForUser(identity.userId);
    if (
      this.bySubject.has(key(identity.provider, identity.subject)) ||
      mine.some((i) => i.provider === identity.provider)
    ) {
      throw new AppError('already_exists', 'this identity is already linked');
    }
    this.bySubject.set(key(identity.provider, identity.subject), { ...identity });
  }

  async findBySubject(provider: string, subject: string): Promise<IdentityRecord | null> {
    const found = this.bySubject.get(key(provider, subject));
    return found ? { ...found } : null;
  }

  async listForUser(userId: string): Promise<IdentityRecord[]> {
    return [...this.bySubject.values()]
      .filter((i) => i.userId === userId)
      .sort((a, b) => a.provider.localeCompare(b.provider))
      .map((i) => ({ ...i }));
  }

  async unlink(userId: string, provider: string): Promise<void> {
    const found = (await this.listForUser(userId)).find((i) => i.provider === provider);
    if (!found) throw new AppError('not_found', 'no identity of this provider is linked');
    this.bySubject.delete(key(found.provider, found.subject));
  }

  async deleteForUser(userId: string): Promise<void> {
    for (const identity of await this.listForUser(userId))
      this.bySubject.delete(key(identity.provider, identity.subject));
  }
}
