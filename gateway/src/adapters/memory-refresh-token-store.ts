import type { RefreshFamilyRecord, RefreshTokenRecord, RefreshTokenStore } from '../ports/refresh-token-store.ts';

/** In-memory refresh tokens for unit tests of the domain; same conditional semantics as DynamoDB's. */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  readonly families = new Map<string, RefreshFamilyRecord>();
  readonly tokens = new Map<string, RefreshTokenRecord>();

  async startFamily(family: RefreshFamilyRecord, firstTokenHash: string): Promise<void> {
    this.families.set(family.familyId, { ...family });
    this.tokens.set(firstTokenHash, {
      hash: firstTokenHash,
      familyId: family.familyId,
      userId: family.userId,
      expiresAt: family.expiresAt,
    });
  }

  async findToken(hash: string): Promise<RefreshTokenRecord | null> {
    const token = this.tokens.get(hash);
    return token ? { ...token } : null;
  }

  async findFamily(familyId: string): Promise<RefreshFamilyRecord | null> {
    const family = this.families.get(familyId);
    return family ? { ...family } : null;
  }

  async rotate(oldHash: string, next: RefreshTokenRecord, usedAt: number): Promise<boolean> {
    const old = this.tokens.get(oldHash);
    const family = this.families.get(next.familyId);
    if (!old || old.usedAt !== undefined || !family || family.revoked || this.tokens.has(next.hash)) return false;
    old.usedAt = usedAt;
    family.lastUsedAt = usedAt;
    this.tokens.set(next.hash, { ...next });
    return true;
  }

  async revokeFamily(familyId: string): Promise<void> {
    const family = this.families.get(familyId);
    if (family) family.revoked = true;
  }

  async listUserFamilies(userId: string): Promise<RefreshFamilyRecord[]> {
    return [...this.families.values()].filter((f) => f.userId === userId).map((f) => ({ ...f }));
  }

  async touchFamily(familyId: string, at: number): Promise<void> {
    const family = this.families.get(familyId);
    if (family && (family.lastUsedAt === undefined || family.lastUsedAt < at)) family.lastUsedAt = at;
  }

  async revokeUserFamilies(userId: string, keepFamilyId?: string): Promise<string[]> {
    const revoked: string[] = [];
    for (const family of this.families.values()) {
      if (family.userId !== userId || family.familyId === keepFamilyId) continue;
      family.revoked = true;
      revoked.push(family.familyId);
    }
    return revoked;
  }

  async deleteUserData(userId: string): Promise<void> {
    for (const [id, family] of this.families) if (family.userId === userId) this.families.delete(id);
    for (const [hash, token] of this.tokens) if (token.userId === userId) this.tokens.delete(hash);
  }
}
