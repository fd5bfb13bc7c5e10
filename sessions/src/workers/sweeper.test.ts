import { AppError } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import { memorySessions, openInput } from '../../test/fakes.ts';
import { sweepOnce } from './sweeper.ts';

const HOUR = 3600 * 1000;

async function openMany(s: ReturnType<typeof memorySessions>, count: number, userId = 'alice') {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await s.uploads.create(openInput(userId, 1024))).uploadId);
  return ids;
}

describe('the expiry sweeper', () => {
  it('drains every expired upload in one sweep, 100 at a time, and a second sweep changes nothing', async () => {
    const s = memorySessions({ maxInProgress: 1000 });
    await openMany(s, 250);
    s.clock.advance(2 * HOUR);
    expect(await sweepOnce(s.sweeper)).toEqual({ expired: 250, requeued: 0, truncated: false });
    expect(s.store.usageOf('alice')).toEqual({ uploadsInProgress: 0, reservedBytes: 0 });
    expect(s.objects.open.size).toBe(0);
    expect(await sweepOnce(s.sweeper)).toEqual({ expired: 0, requeued: 0, truncated: false });
  });

  it('re-enqueues a complete upload once per sweep instead of expiring it, and does not loop on it', async () => {
    const s = memorySessions({ maxInProgress: 1000 });
    const ids = await openMany(s, 5);
    for (const id of ids.slice(0, 3)) {
      await s.uploads.recordPart(id, 'alice', { index: 0, size: 1024, sha256: `${'A'.repeat(43)}=`, etag: '"e"' });
    }
    s.clock.advance(2 * HOUR);
    expect(await sweepOnce(s.sweeper, { batchSize: 2 })).toEqual({ expired: 2, requeued: 3, truncated: false });
    expect([...s.queue.sent].sort()).toEqual(ids.slice(0, 3).sort());
  });

  it('stops starting pages when its time budget is spent, and the next sweep carries on', async () => {
    const s = memorySessions({ maxInProgress: 1000 });
    await openMany(s, 500);
    s.clock.advance(2 * HOUR);
    // Each page takes a simulated second.
    const listByStatus = s.repository.listByStatus.bind(s.repository);
    s.repository.listByStatus = async (...args) => {
      s.clock.advance(1000);
      return listByStatus(...args);
    };
    expect(await sweepOnce(s.sweeper, { budgetMs: 2500 })).toEqual({ expired: 300, requeued: 0, truncated: true });
    expect(await sweepOnce(s.sweeper, { budgetMs: 2500 })).toEqual({ expired: 200, requeued: 0, truncated: false });
  });

  it('leaves uploads that have not expired yet', async () => {
    const s = memorySessions({ maxInProgress: 1000 });
    await openMany(s, 3);
    s.clock.advance(HOUR - 1);
    expect(await sweepOnce(s.sweeper)).toEqual({ expired: 0, requeued: 0, truncated: false });
  });

  it("expires a deleted user's forgotten upload too, giving the counters back and aborting its storage", async () => {
    const s = memorySessions();
    const [id] = await openMany(s, 1, 'gone');
    await s.repository.markUserDeleted('gone', 2_000_000_000);
    s.clock.advance(2 * HOUR);
    expect(await sweepOnce(s.sweeper)).toEqual({ expired: 1, requeued: 0, truncated: false });
    expect(await s.repository.get(id ?? '')).toMatchObject({ status: 'EXPIRED' });
    expect(s.store.usageOf('gone')).toEqual({ uploadsInProgress: 0, reservedBytes: 0 });
    expect(s.objects.open.size).toBe(0);
  });

  it('expires an upload even when storage refuses to abort its multipart upload (the bucket rule will)', async () => {
    const s = memorySessions();
    await openMany(s, 2);
    s.objects.abortMultipart = async () => {
      throw new AppError('unavailable', 'object storage unavailable (abort multipart upload)');
    };
    s.clock.advance(2 * HOUR);
    expect(await sweepOnce(s.sweeper)).toEqual({ expired: 2, requeued: 0, truncated: false });
    expect(s.store.usageOf('alice')).toEqual({ uploadsInProgress: 0, reservedBytes: 0 });
  });

  it('skips an upload its owner cancelled after the sweep listed it, counting nothing twice', async () => {
    const s = memorySessions();
    const [id] = await openMany(s, 1);
    s.clock.advance(2 * HOUR);
    const listByStatus = s.repository.listByStatus.bind(s.repository);
    s.repository.listByStatus = async (...args) => {
      const page = await listByStatus(...args);
      await s.uploads.cancel(id ?? '', 'alice');
      return page;
    };
    expect(await sweepOnce(s.sweeper)).toEqual({ expired: 0, requeued: 0, truncated: false });
    expect(await s.repository.get(id ?? '')).toMatchObject({ status: 'CANCELLED' });
    expect(s.store.usageOf('alice')).toEqual({ uploadsInProgress: 0, reservedBytes: 0 });
  });
});
