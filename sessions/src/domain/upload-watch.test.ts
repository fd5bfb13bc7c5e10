import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { memorySessions, uploaded } from '../../test/fakes.ts';
import { StatusSignals } from './status-signals.ts';
import type { UploadSession } from './upload.ts';
import { MAX_STATUS_WAIT_MS, STATUS_RECHECK_MS, watchUpload } from './upload-watch.ts';

const file = Buffer.alloc(2048, 7);
const SHA = '';

/** A watch whose answer is recorded when it comes, so a test can say it has not come yet. */
function watching(promise: Promise<UploadSession>) {
  const state: { answer?: UploadSession; error?: unknown } = {};
  promise.then(
    (u) => {
      state.answer = u;
    },
    (e: unknown) => {
      state.error = e;
    },
  );
  return state;
}

describe('watchUpload: one call instead of polling while an upload assembles', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** The memory domain with its clock following the fake timers. */
  async function uploadedAndComplete() {
    const s = memorySessions();
    s.statusWatch.clock = { now: () => Date.now() };
    const upload = await uploaded(s, file, SHA);
    const first = await s.uploads.get(upload.uploadId, 'alice');
    return { s, first };
  }

  it('answers the moment this process assembles the upload: UPLOADING → ASSEMBLING, then → COMPLETED', async () => {
    const { s, first } = await uploadedAndComplete();
    expect(first.status).toBe('UPLOADING');
    const w = watching(watchUpload(s.statusWatch, first, 20_000));
    await vi.advanceTimersByTimeAsync(200);
    expect(w.answer).toBeUndefined();
    // The assembler's first write moves it to ASSEMBLING: the waiter wakes on that write, before any re-read.
    const assembled = s.assembler.assemble(first.uploadId);
    await vi.advanceTimersByTimeAsync(0);
    expect(w.answer?.status).toBe('ASSEMBLING');
    await assembled;
    const done = await watchUpload(s.statusWatch, w.answer as UploadSession, 20_000);
    expect(done.status).toBe('COMPLETED');
  });

  it('answers with the status unchanged once the wait is over, having re-read about once a second', async () => {
    const { s, first } = await uploadedAndComplete();
    const reads = vi.spyOn(s.repository, 'get');
    const w = watching(watchUpload(s.statusWatch, first, 3000));
    await vi.advanceTimersByTimeAsync(2999);
    expect(w.answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(w.answer?.status).toBe('UPLOADING');
    expect(reads).toHaveBeenCalledTimes(3000 / STATUS_RECHECK_MS);
    expect(s.statusWatch.signals.waiting).toBe(0);
  });

  it('sees a change another process wrote (no signal here) at its next re-read', async () => {
    const { s, first } = await uploadedAndComplete();
    const w = watching(watchUpload(s.statusWatch, first, 20_000));
    await vi.advanceTimersByTimeAsync(10);
    // Written behind the signals' back, as another sessions task's write is.
    s.store.sessions.set(first.uploadId, { ...first, status: 'ASSEMBLING' });
    await vi.advanceTimersByTimeAsync(STATUS_RECHECK_MS - 20);
    expect(w.answer).toBeUndefined();
    await vi.advanceTimersByTimeAsync(20);
    expect(w.answer?.status).toBe('ASSEMBLING');
  });

  it('answers at once for a finished upload or a zero wait', async () => {
    const { s, first } = await uploadedAndComplete();
    expect(await watchUpload(s.statusWatch, first, 0)).toBe(first);
    expect(await watchUpload(s.statusWatch, { ...first, status: 'COMPLETED' }, 20_000)).toMatchObject({
      status: 'COMPLETED',
    });
    expect(s.statusWatch.signals.waiting).toBe(0);
  });

  it("answers at once past a user's share of waiting places, or the process's, and frees a place when a wait ends", async () => {
    const { s, first } = await uploadedAndComplete();
    const signals = new StatusSignals(3, 2);
    const deps = { ...s.statusWatch, signals };
    const held = [watching(watchUpload(deps, first, 20_000)), watching(watchUpload(deps, first, 20_000))];
    // alice's third wait gets no place: answered at once, as a poll.
    expect(await watchUpload(deps, first, 20_000)).toBe(first);
    const bob = watching(watchUpload(deps, { ...first, userId: 'bob' }, 20_000));
    // The process is full (3): a fourth user is answered at once too.
    expect(await watchUpload(deps, { ...first, userId: 'carol' }, 20_000)).toMatchObject({ userId: 'carol' });
    expect(signals.waiting).toBe(3);
    await vi.advanceTimersByTimeAsync(20_000);
    expect([...held, bob].every((w) => w.answer?.status === 'UPLOADING')).toBe(true);
    expect(signals.waiting).toBe(0);
    const again = watching(watchUpload(deps, first, 1000));
    await vi.advanceTimersByTimeAsync(0);
    expect(signals.waiting).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(again.answer?.status).toBe('UPLOADING');
  });

  it('waits at most 20 s whatever the caller asks', async () => {
    const { s, first } = await uploadedAndComplete();
    const w = watching(watchUpload(s.statusWatch, first, 3_600_000));
    await vi.advanceTimersByTimeAsync(MAX_STATUS_WAIT_MS);
    expect(w.answer?.status).toBe('UPLOADING');
  });

  it('stops waiting when the call is cancelled, and when the service drains (signals closed)', async () => {
    const { s, first } = await uploadedAndComplete();
    const cancelled = new AbortController();
    const a = watching(watchUpload(s.statusWatch, first, 20_000, cancelled.signal));
    const b = watching(watchUpload(s.statusWatch, first, 20_000));
    await vi.advanceTimersByTimeAsync(10);
    cancelled.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(a.answer?.status).toBe('UPLOADING');
    expect(b.answer).toBeUndefined();
    s.statusWatch.signals.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(b.answer?.status).toBe('UPLOADING');
    // And a call arriving while the service drains does not wait at all.
    expect(await watchUpload(s.statusWatch, first, 20_000)).toBe(first);
  });

  it('says not_found when the upload is deleted while the call waits', async () => {
    const { s, first } = await uploadedAndComplete();
    const w = watching(watchUpload(s.statusWatch, first, 20_000));
    await vi.advanceTimersByTimeAsync(10);
    s.store.sessions.delete(first.uploadId);
    await vi.advanceTimersByTimeAsync(STATUS_RECHECK_MS);
    expect(w.error).toMatchObject({ code: 'not_found' });
  });
});
