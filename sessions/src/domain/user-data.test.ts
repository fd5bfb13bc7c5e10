import { describe, expect, it } from 'vitest';
import { memorySessions, openInput } from '../../test/fakes.ts';
import { deleteUserData, TOMBSTONE_SECONDS } from './user-data.ts';

const part = (index: number, size = 1024) => ({ index, size, sha256: `${'A'.repeat(43)}=`, etag: `"e${index}"` });

describe('deleting a user', () => {
  it('cancels every upload in progress, page after page, and leaves a tombstone that outlives upload tokens', async () => {
    const s = memorySessions({ maxInProgress: 1000 });
    for (let i = 0; i < 150; i++) {
      s.clock.advance(10);
      await s.uploads.create(openInput('alice'));
    }
    const survivor = await s.uploads.create(openInput('bob'));
    const result = await deleteUserData(s.userData, 'alice');
    expect(result).toEqual({ uploadsCancelled: 150, filesDeleted: 0 });
    expect((await s.uploads.list('alice', 0, '')).uploads).toEqual([]);
    expect(s.store.usageOf('alice')).toEqual({ uploadsInProgress: 0, reservedBytes: 0 });
    expect([...s.objects.open.values()]).toEqual([survivor.objectKey]);
    const until = s.store.tombstones.get('alice') ?? 0;
    expect(until).toBe(Math.floor(s.clock.now() / 1000) + TOMBSTONE_SECONDS);
    expect(TOMBSTONE_SECONDS).toBeGreaterThan(24 * 3600);
  });

  it('refuses an open and a chunk authorised a moment before the deletion', async () => {
    const s = memorySessions();
    const upload = await s.uploads.create(openInput('alice', 2048));
    await s.repository.markUserDeleted('alice', 0);
    await expect(s.uploads.create(openInput('alice'))).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { reason: 'user_deleted' },
    });
    await expect(s.uploads.recordPart(upload.uploadId, upload.userId, part(0))).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { reason: 'user_deleted' },
    });
    expect(s.store.parts.get(upload.uploadId)).toBeUndefined();
    expect(s.objects.open.size).toBe(1);
  });

  it('discards an upload whose assembly races the deletion instead of creating a file', async () => {
    const s = memorySessions();
    const upload = await s.uploads.create(openInput('alice', 1024));
    await s.uploads.recordPart(upload.uploadId, upload.userId, part(0));
    await s.repository.transition(upload.uploadId, ['UPLOADING'], 'ASSEMBLING');
    // deleteUserData cannot cancel it (it is assembling); the assembler must not complete it.
    expect(await deleteUserData(s.userData, 'alice')).toEqual({ uploadsCancelled: 0, filesDeleted: 0 });
    s.objects.putObject(upload.objectKey, new Uint8Array(1024));
    expect(await s.assembler.assemble(upload.uploadId)).toBe('discarded');
    expect(s.store.sessions.get(upload.uploadId)).toMatchObject({ status: 'CANCELLED' });
    expect(s.store.files.size).toBe(0);
    expect(s.objects.objects.has(upload.objectKey)).toBe(false);
    expect(s.objects.open.size).toBe(0);
    // A redelivered message changes nothing.
    expect(await s.assembler.assemble(upload.uploadId)).toBe('skipped');
  });
});
