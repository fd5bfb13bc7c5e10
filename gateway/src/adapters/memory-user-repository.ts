import { AppError } from '@lfusys/commons';
import type { UserChanges, UserRecord, UserRepository } from '../ports/user-repository.ts';

/** In-memory users for unit tests of the domain. */
export class MemoryUserRepository implements UserRepository {
  readonly byId = new Map<string, UserRecord>();

  async create(user: UserRecord): Promise<void> {
    if ([...this.byId.values()].some((u) => u.email === user.email)) {
      throw new AppError('already_exists', 'an account with this email already exists');
    }
    this.byId.set(user.id, { ...user });
  }

  async findById(id: string): Promise<UserRecord | null> {
    const user = this.byId.get(id);
    return user ? { ...user } : null;
  }

  async findByEmail(email: string): Promise<UserRecord | null> {
    const user = [...this.byId.values()].find((u) => u.email === email);
    return user ? { ...user } : null;
  }

  async update(id: string, changes: UserChanges): Promise<UserRecord> {
    const user = this.byId.get(id);
    if (!user) throw new AppError('not_found', 'user not found');
    const next = { ...user, ...changes };
    this.byId.set(id, next);
    return { ...next };
  }

  async changeEmail(id: string, from: string, to: string, updatedAt: string): Promise<UserRecord> {
    if ([...this.byId.values()].some((u) => u.email === to)) {
      throw new AppError('already_exists', 'an account with this email already exists');
    }
    const user = this.byId.get(id);
    if (user?.email !== from) throw new AppError('aborted', 'the account changed meanwhile; retry');
    const next = { ...user, email: to, emailVerified: false, updatedAt };
    this.byId.set(id, next);
    return { ...next };
  }

  async delete(user: Pick<UserRecord, 'id'>): Promise<void> {
    this.byId.delete(user.id);
  }
}
