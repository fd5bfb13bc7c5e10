import { describe, expect, it } from 'vitest';
import { memorySessions, openInput } from '../../test/fakes.ts';
import { declareSha256 } from './declared-sha256.ts';

const HEX = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);
const part = (index: number, size = 1024) => ({ index, size, sha256: `${'A'.repeat(43)}=`, etag: `"e${index}"` });

async function openUpload() {
  const s = memorySessions();
  const upload = await s.uploads.create(openInput('u1', 2048));
  return { s, upload, declare: (sha: string, user = 'u1') => declareSha256(s.repository, upload.uploadId, user, sha) };
}

describe('declareSha256', () => {
  it('stores the hash lower-cased, and the same value again is a no-op', async () => {
    const { s, upload, declare } = await openUpload();
    await expect(declare(HEX.toUpperCase())).resolves.toMatchObject({ sha256: HEX });
    await expect(declare(HEX)).resolves.toMatchObject({ sha256: HEX });
    expect((await s.repository.get(upload.uploadId))?.sha256).toBe(HEX);
  });

  it('refuses another value once one is declared', async () => {
    const { s, upload, declare } = await openUpload();
    await declare(HEX);
    await expect(declare(OTHER)).rejects.toMatchObject({ code: 'already_exists' });
    expect((await s.repository.get(upload.uploadId))?.sha256).toBe(HEX);
  });

  it.each([['ab'.repeat(31)], ['zz'.repeat(32)], [`${'A'.repeat(43)}=`], ['']])('refuses %j', async (bad) => {
    const { declare } = await openUpload();
    await expect(declare(bad)).rejects.toMatchObject({ code: 'invalid_argument', details: { field: 'sha256' } });
  });

  it("answers not_found for another user's upload", async () => {
    const { declare } = await openUpload();
    await expect(declare(HEX, 'u2')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('refuses once every part is received, or the upload is no longer uploading', async () => {
    const { s, upload, declare } = await openUpload();
    await s.uploads.recordPart(upload.uploadId, upload.userId, part(0));
    await s.uploads.recordPart(upload.uploadId, upload.userId, part(1));
    await expect(declare(HEX)).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { reason: 'parts_complete' },
    });
    const other = await s.uploads.create(openInput('u1', 2048));
    await s.uploads.cancel(other.uploadId, 'u1');
    await expect(declareSha256(s.repository, other.uploadId, 'u1', HEX)).rejects.toMatchObject({
      code: 'failed_precondition',
      details: { status: 'CANCELLED' },
    });
  });
});
