import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { IdentityRecord, IdentityRepository } from '../src/ports/identity-repository.ts';

/**
 * The behaviour every IdentityRepository adapter must have: one suite, run against the memory
 * adapter in a unit test and against DynamoDB in an integration test.
 */
export function identityRepositoryContract(name: string, create: () => Promise<IdentityRepository>): void {
  const identity = (userId: string, provider: string, subject: string = randomUUID()): IdentityRecord => ({
    provider,
    subject,
    userId,
    email: `${subject}@example.test`,
    linkedAt: '2026-12-01T10:00:00.000Z',
  });

  describe(`IdentityRepository contract: ${name}`, () => {
    it('finds a linked identity by provider and subject, and lists it for its user', async () => {
      const repo = await create();
      const userId = randomUUID();
      const google = identity(userId, 'google');
      const github = identity(userId, 'github', 'a#subject#with#hashes');
      await repo.link(google);
      await repo.link(github);
      expect(await repo.findBySubject('google', google.subject)).toEqual(google);
      expect(await repo.findBySubject('github', github.subject)).toEqual(github);
      expect(await repo.findBySubject('github', google.subject)).toBeNull();
      expect(await repo.listForUser(userId)).toEqual([github, google]);
      expect(await repo.listForUser(randomUUID())).toEqual([]);
    });

    it('refuses a (provider, subject) pair that another user already has', async () => {
      const repo = await create();
      const taken = identity(randomUUID(), 'dev');
      await repo.link(taken);
      const other = randomUUID();
      await expect(repo.link({ ...taken, userId: other })).rejects.toMatchObject({ code: 'already_exists' });
      expect(await repo.listForUser(other)).toEqual([]);
      expect(await repo.findBySubject('dev', taken.subject)).toEqual(taken);
    });

    it('refuses a second identity of one provider for one user', async () => {
      const repo = await create();
      const userId = randomUUID();
      const first = identity(userId, 'github');
      await repo.link(first);
      const second = identity(userId, 'github');
      await expect(repo.link(second)).rejects.toMatchObject({ code: 'already_exists' });
      expect(await repo.findBySubject('github', second.subject)).toBeNull();
      expect(await repo.listForUser(userId)).toEqual([first]);
    });

    it('unlinks one provider and keeps the others; the subject can then be linked again', async () => {
      const repo = await create();
      const userId = randomUUID();
      const google = identity(userId, 'google');
      const github = identity(userId, 'github');
      await repo.link(google);
      await repo.link(github);
      await repo.unlink(userId, 'google', { keepOne: true });
      expect(await repo.findBySubject('google', google.subject)).toBeNull();
      expect(await repo.listForUser(userId)).toEqual([github]);
      await repo.link(google);
      expect(await repo.listForUser(userId)).toEqual([github, google]);
    });

    it('answers not_found when unlinking a provider the user has not linked', async () => {
      const repo = await create();
      const userId = randomUUID();
      await repo.link(identity(userId, 'github'));
      await expect(repo.unlink(userId, 'google', { keepOne: false })).rejects.toMatchObject({ code: 'not_found' });
      await expect(repo.unlink(randomUUID(), 'github', { keepOne: false })).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('with keepOne, refuses to unlink the last identity, and two concurrent unlinks leave one', async () => {
      const repo = await create();
      const userId = randomUUID();
      await repo.link(identity(userId, 'dev'));
      await repo.link(identity(userId, 'github'));
      const results = await Promise.allSettled([
        repo.unlink(userId, 'dev', { keepOne: true }),
        repo.unlink(userId, 'github', { keepOne: true }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(['aborted', 'failed_precondition']).toContain((loser?.reason as { code?: unknown } | undefined)?.code);
      expect(await repo.listForUser(userId)).toHaveLength(1);
      const [last] = await repo.listForUser(userId);
      await expect(repo.unlink(userId, last?.provider ?? '', { keepOne: true })).rejects.toMatchObject({
        code: 'failed_precondition',
        details: { reason: 'last_sign_in_method' },
      });
      await repo.unlink(userId, last?.provider ?? '', { keepOne: false });
      expect(await repo.listForUser(userId)).toEqual([]);
    });

    it('deletes every identity of a user and nobody else’s', async () => {
      const repo = await create();
      const userId = randomUUID();
      const kept = identity(randomUUID(), 'google');
      const mine = [identity(userId, 'github'), identity(userId, 'google')];
      for (const i of [kept, ...mine]) await repo.link(i);
      await repo.deleteForUser(userId);
      await repo.deleteForUser(randomUUID());
      expect(await repo.listForUser(userId)).toEqual([]);
      for (const i of mine) expect(await repo.findBySubject(i.provider, i.subject)).toBeNull();
      expect(await repo.findBySubject('google', kept.subject)).toEqual(kept);
    });

    it('lets exactly one of two concurrent links of the same subject win', async () => {
      const repo = await create();
      const subject = randomUUID();
      const [a, b] = [identity(randomUUID(), 'dev', subject), identity(randomUUID(), 'dev', subject)];
      const results = await Promise.allSettled([repo.link(a), repo.link(b)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const owner = await repo.findBySubject('dev', subject);
      const winner = owner?.userId === a.userId ? a : b;
      expect(owner).toEqual(winner);
      expect(await repo.listForUser(winner === a ? b.userId : a.userId)).toEqual([]);
    });
  });
}
