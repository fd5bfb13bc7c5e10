import { describe, expect, it } from 'vitest';
import { memorySessions, openInput } from '../../test/fakes.ts';

describe('UploadService.usage (GetUsage)', () => {
  it('counts the bytes an open reserves, and gives them back when the upload is cancelled', async () => {
    const s = memorySessions({ quotaBytes: 10_000, maxFileBytes: 5000 });
    expect(await s.uploads.usage('alice', 0)).toEqual({ usedBytes: 0, quotaBytes: 10_000, maxFileBytes: 5000 });
    const upload = await s.uploads.create(openInput('alice', 600));
    await s.uploads.create(openInput('bob', 900));
    expect(await s.uploads.usage('alice', 0)).toMatchObject({ usedBytes: 600 });
    await s.uploads.cancel(upload.uploadId, 'alice');
    expect(await s.uploads.usage('alice', 0)).toMatchObject({ usedBytes: 0 });
  });

  it("applies the caller's smaller quota cap, as an open would, and never a larger one", async () => {
    const s = memorySessions({ quotaBytes: 10_000 });
    expect((await s.uploads.usage('alice', 1000)).quotaBytes).toBe(1000);
    expect((await s.uploads.usage('alice', 50_000)).quotaBytes).toBe(10_000);
    expect((await s.uploads.usage('alice', 0)).quotaBytes).toBe(10_000);
  });
});
