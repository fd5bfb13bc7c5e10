import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { RefreshFamilyRecord, RefreshTokenStore } from '../src/ports/refresh-token-store.ts';

/**
 * The behaviour every RefreshTokenStore adapter must have: one suite, run against the memory
 * adapter in a unit test and against DynamoDB in an integration test.
 */
export function refreshTokenStoreContract(name: string, create: () => Promise<RefreshTokenStore>): void {
  const T = 1_767_225_600_000; // 2026-01-01, epoch ms
  const hash = () => randomUUID().replaceAll('-', '');
  const family = (userId: string, extra: Partial<RefreshFamilyRecord> = {}): RefreshFamilyRecord => ({
    familyId: randomUUID(),
    userId,
    revoked: false,
    expiresAt: T / 1000 + 3600,
    createdAt: T,
    ...extra,
  });
  async function started(store: RefreshTokenStore, f: RefreshFamilyRecord): Promise<string> {
    const first = hash();
    await store.startFamily(f, first);
    return first;
  }

  describe(`RefreshTokenStore contract: ${name}`, () => {
    it('keeps a family’s start, user agent and owner as written', async () => {
      const store = await create();
      const f = family(randomUUID(), { userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' });
      const first = await started(store, f);
      expect(await store.findFamily(f.familyId)).toEqual(f);
      expect(await store.findToken(first)).toEqual({
        hash: first,
        familyId: f.familyId,
        userId: f.userId,
        expiresAt: f.expiresAt,
      });
    });

    it('rotates a token once, marking it used and moving the family’s lastUsedAt', async () => {
      const store = await create();
      const f = family(randomUUID());
      const first = await started(store, f);
      const next = { hash: hash(), familyId: f.familyId, userId: f.userId, expiresAt: f.expiresAt };
      expect(await store.rotate(first, next, T + 5000)).toBe(true);
      expect(await store.rotate(first, { ...next, hash: hash() }, T + 6000)).toBe(false);
      expect((await store.findToken(first))?.usedAt).toBe(T + 5000);
      expect((await store.findFamily(f.familyId))?.lastUsedAt).toBe(T + 5000);
    });

    it('refuses to rotate a token of a revoked family', async () => {
      const store = await create();
      const f = family(randomUUID());
      const first = await started(store, f);
      await store.revokeFamily(f.familyId);
      const next = { hash: hash(), familyId: f.familyId, userId: f.userId, expiresAt: f.expiresAt };
      expect(await store.rotate(first, next, T + 5000)).toBe(false);
      expect(await store.findToken(next.hash)).toBeNull();
    });

    it('lists every family of one user, revoked ones included, and no other user’s', async () => {
      const store = await create();
      const user = randomUUID();
      const a = family(user, { userAgent: 'curl/8.5.0' });
      const b = family(user);
      await started(store, a);
      const bFirst = await started(store, b);
      await store.rotate(bFirst, { hash: hash(), familyId: b.familyId, userId: user, expiresAt: b.expiresAt }, T + 1);
      await store.revokeFamily(a.familyId);
      await started(store, family(randomUUID()));

      const listed = await store.listUserFamilies(user);
      expect(listed.sort((x, y) => x.familyId.localeCompare(y.familyId))).toEqual(
        [
          { ...a, revoked: true },
          { ...b, lastUsedAt: T + 1 },
        ].sort((x, y) => x.familyId.localeCompare(y.familyId)),
      );
      expect(await store.listUserFamilies(randomUUID())).toEqual([]);
    });

    it('moves lastUsedAt only forward, and touching an unknown family creates nothing', async () => {
      const store = await create();
      const f = family(randomUUID());
      await started(store, f);
      await store.touchFamily(f.familyId, T + 60_000);
      await store.touchFamily(f.familyId, T + 30_000);
      expect((await store.findFamily(f.familyId))?.lastUsedAt).toBe(T + 60_000);

      const unknown = randomUUID();
      await store.touchFamily(unknown, T);
      expect(await store.findFamily(unknown)).toBeNull();
    });

    it('revokes every family of a user but the one kept, returning the ids it revoked', async () => {
      const store = await create();
      const user = randomUUID();
      const [keep, a, b] = [family(user), family(user), family(user)];
      const other = family(randomUUID());
      for (const f of [keep, a, b, other]) await started(store, f);

      const revoked = await store.revokeUserFamilies(user, keep.familyId);
      expect(revoked.sort()).toEqual([a.familyId, b.familyId].sort());
      expect((await store.findFamily(keep.familyId))?.revoked).toBe(false);
      expect((await store.findFamily(a.familyId))?.revoked).toBe(true);
      expect((await store.findFamily(other.familyId))?.revoked).toBe(false);
    });

    it('deletes every family and token of a user and nothing else', async () => {
      const store = await create();
      const user = randomUUID();
      const mine = family(user);
      const theirs = family(randomUUID());
      const myToken = await started(store, mine);
      await started(store, theirs);

      await store.deleteUserData(user);
      expect(await store.listUserFamilies(user)).toEqual([]);
      expect(await store.findToken(myToken)).toBeNull();
      expect(await store.findFamily(theirs.familyId)).not.toBeNull();
    });
  });
}
