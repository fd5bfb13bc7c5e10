import { describe, expect, it } from 'vitest';
import { until } from '../../test/support/clock.ts';
import { addOne, finishProcessing, KIB, setup } from '../../test/support/engine-harness.ts';
import { makeSource, patternBytes } from '../../test/support/sources.ts';
import { ApiError } from './types.ts';

describe('UploadEngine: why a file failed, and retrying it', () => {
  it.each([
    [new ApiError(413, 'payload_too_large', 'files may be at most 1024 bytes'), 'too_large'],
    [
      new ApiError(403, 'permission_denied', 'storage quota exceeded', undefined, { reason: 'quota_exceeded' }),
      'quota',
    ],
    [new ApiError(429, 'too_many_uploads', 'too many uploads in progress'), 'too_many_uploads'],
    [new ApiError(400, 'invalid_argument', 'bad name'), 'refused'],
  ] as const)('names a refused open (%s) as %s', async (refusal, reason) => {
    const h = setup();
    h.server.onOpen = () => refusal;
    const id = addOne(h, makeSource('a.bin', patternBytes(2 * KIB)));
    await until(() => h.status(id) === 'failed', 'failed');
    expect(h.file(id)).toMatchObject({ failure: reason, error: refusal.message });
    expect(h.server.calls).toHaveLength(0);
  });

  it('names server failures past the attempts as server, and a retry sends only the missing chunks', async () => {
    const h = setup({ concurrency: 1, maxAttempts: 2 });
    h.server.onChunk = (call) => (call.index === 1 ? { status: 503 } : undefined);
    const id = addOne(h, makeSource('a.bin', patternBytes(3 * KIB)));
    for (let i = 0; i < 20 && h.status(id) !== 'failed'; i++) await h.clock.advance(1000);
    expect(h.file(id)).toMatchObject({ status: 'failed', failure: 'server' });
    const acked = h.file(id).bytesAcked;
    expect(acked).toBeGreaterThan(0);
    const sentBefore = h.server.calls.length;

    h.server.onChunk = () => undefined;
    h.engine.retry(id);
    expect(h.file(id).failure).toBeUndefined();
    await finishProcessing(h, id);
    expect(h.status(id)).toBe('completed');
    expect(h.engine.getSnapshot().files.map((f) => f.id)).toEqual([id]);
    // The same server upload, resumed: chunk 0 was not sent again.
    expect(h.server.opened).toHaveLength(1);
    expect(h.server.calls.slice(sentBefore).map((call) => call.index)).not.toContain(0);
  });

  it('retries every failed file and leaves the others alone', async () => {
    const h = setup();
    h.server.onOpen = (input) => (input.fileName === 'ok.bin' ? undefined : new ApiError(503, 'unavailable', 'down'));
    const ok = addOne(h, makeSource('ok.bin', patternBytes(KIB)));
    await finishProcessing(h, ok);
    const bad = addOne(h, makeSource('bad.bin', patternBytes(KIB)));
    for (let i = 0; i < 30 && h.status(bad) !== 'failed'; i++) await h.clock.advance(1000);
    expect(h.file(bad).failure).toBe('server');
    h.server.onOpen = () => undefined;
    h.engine.retry();
    await finishProcessing(h, bad);
    expect([h.status(ok), h.status(bad)]).toEqual(['completed', 'completed']);
  });
});
