import { AppError } from '@lfusys/commons';
import { UploadStatus } from '@lfusys/proto/sessions';
import { describe, expect, it } from 'vitest';
import { body, CHUNK, chunk, receiverHarness, sha256 } from '../../test/receiver-harness.ts';

/** Sends `bytes` as the request body and waits for the receiver's answer (or error). */
async function send(h: ReturnType<typeof receiverHarness>, overrides: Parameters<typeof chunk>[1], bytes = body) {
  const { req, stream } = chunk(h.upload, overrides);
  const result = h.receiver.receive(req).catch((err: unknown) => err);
  stream.end(bytes);
  return result;
}

describe('ChunkReceiver: the checks before any storage work', () => {
  it.each([
    ['a leading zero', '01'],
    ['a sign', '-1'],
    ['not a number', 'abc'],
    ['more than five digits', '100000'],
  ])('refuses an index with %s', async (_, index) => {
    const h = receiverHarness();
    expect(await send(h, { index })).toMatchObject({ code: 'invalid_argument' });
    expect(h.sessions.calls).toEqual([]);
  });

  it('refuses an index beyond the last chunk of the upload', async () => {
    const h = receiverHarness();
    expect(await send(h, { index: '2' })).toMatchObject({
      code: 'invalid_argument',
      message: 'chunk index must be below 2',
    });
    expect(h.writer.writes).toEqual([]);
  });

  it.each([
    ['missing', undefined],
    ['not base64', `${'!'.repeat(43)}=`],
    ['hex instead of base64', 'ab'.repeat(32)],
  ])('refuses an x-chunk-sha256 that is %s', async (_, sha) => {
    const h = receiverHarness();
    expect(await send(h, { sha256: sha })).toMatchObject({ code: 'invalid_argument' });
    expect(h.sessions.calls).toEqual([]);
  });

  it('refuses a missing length, a longer chunk with 413 and a shorter one with 400, before storing', async () => {
    const h = receiverHarness({ size: CHUNK + 100 });
    expect(await send(h, { declaredLength: undefined })).toMatchObject({ code: 'invalid_argument' });
    expect(await send(h, { declaredLength: CHUNK + 1 })).toMatchObject({ code: 'payload_too_large' });
    expect(await send(h, { index: '1', declaredLength: CHUNK })).toMatchObject({
      code: 'payload_too_large',
      message: 'chunk 1 must be 100 bytes',
    });
    expect(await send(h, { declaredLength: CHUNK - 1 })).toMatchObject({ code: 'invalid_argument' });
    expect(h.writer.writes).toEqual([]);
  });

  it("answers another user's upload as not found, and stores nothing", async () => {
    const h = receiverHarness();
    expect(await send(h, { userId: 'u2' })).toMatchObject({ code: 'not_found' });
    expect(h.sessions.calls).toEqual(['getUpload']);
  });

  it.each([
    ['cancelled', UploadStatus.UPLOAD_STATUS_CANCELLED],
    ['assembling', UploadStatus.UPLOAD_STATUS_ASSEMBLING],
    ['expired', UploadStatus.UPLOAD_STATUS_EXPIRED],
  ])('refuses a chunk of an upload that is %s', async (_, status) => {
    const h = receiverHarness();
    h.sessions.setStatus(h.upload.uploadId, status);
    expect(await send(h, {})).toMatchObject({ code: 'failed_precondition' });
    expect(h.sessions.calls).toEqual(['getUpload']);
  });

  it('refuses a chunk of an upload past its deadline that the sweeper has not ended yet', async () => {
    const h = receiverHarness();
    const stored = h.sessions.uploads.get(h.upload.uploadId);
    if (stored) stored.expiresAt = new Date(Date.now() - 1000).toISOString();
    expect(await send(h, {})).toMatchObject({ code: 'failed_precondition', message: 'upload has expired' });
    expect(h.writer.writes).toEqual([]);
  });
});

describe('ChunkReceiver: the body and storage', () => {
  it('refuses a body whose SHA-256 is not the declared one: nothing stored, nothing recorded', async () => {
    const h = receiverHarness();
    const other = Buffer.alloc(CHUNK, 2);
    expect(await send(h, {}, other)).toMatchObject({ code: 'invalid_argument' });
    expect(h.writer.writes.map((w) => w.outcome)).toEqual(['aborted']);
    expect(h.writer.parts.size).toBe(0);
    expect(h.sessions.calls).not.toContain('recordPart');
  });

  it('refuses a body shorter than its declared length when it ends: nothing recorded', async () => {
    const h = receiverHarness();
    expect(await send(h, {}, body.subarray(0, 100))).toMatchObject({ code: 'invalid_argument' });
    expect(h.sessions.calls).not.toContain('recordPart');
  });

  it('answers a storage outage as unavailable (retryable) and records nothing', async () => {
    const h = receiverHarness();
    h.writer.failNext = new AppError('unavailable', 'object storage unavailable');
    expect(await send(h, {})).toMatchObject({ code: 'unavailable' });
    expect(h.sessions.calls).not.toContain('recordPart');
  });

  it('turns a storage outage into 409 when the upload ended meanwhile, so the client stops retrying', async () => {
    const h = receiverHarness();
    // The owner cancels while the part is on its way; storage then fails the request.
    h.writer.writePart = async () => {
      h.sessions.setStatus(h.upload.uploadId, UploadStatus.UPLOAD_STATUS_CANCELLED);
      throw new AppError('unavailable', 'object storage unavailable');
    };
    expect(await send(h, {})).toMatchObject({ code: 'failed_precondition' });
    expect(h.sessions.calls).toEqual(['getUpload', 'preparePart', 'getUpload']);
  });

  it('answers a multipart upload storage no longer has (NoSuchUpload) as 409', async () => {
    const h = receiverHarness();
    h.writer.closed.add(h.upload.target?.multipartUploadId ?? '');
    expect(await send(h, {})).toMatchObject({ code: 'failed_precondition' });
    expect(h.sessions.calls).not.toContain('recordPart');
  });

  it('stores, records and enqueues the assembly when the chunk completes the set, once', async () => {
    const h = receiverHarness();
    expect(await send(h, { index: '1' })).toEqual({ index: 1, received: 1, totalChunks: 2, complete: false });
    expect(h.queue.sent).toEqual([]);
    expect(await send(h, { index: '0' })).toEqual({ index: 0, received: 2, totalChunks: 2, complete: true });
    expect(h.queue.sent).toEqual([h.upload.uploadId]);
    const stored = h.writer.parts.get(h.upload.target?.multipartUploadId ?? '');
    expect([...(stored?.keys() ?? [])].sort()).toEqual([1, 2]);
    expect(stored?.get(1)).toEqual(body);
  });

  it('answers a duplicate of a recorded chunk with the same counts, without storing it again', async () => {
    const h = receiverHarness();
    await send(h, { index: '0' });
    expect(await send(h, { index: '0' })).toEqual({ index: 0, received: 1, totalChunks: 2, complete: false });
    expect(h.writer.writes).toHaveLength(1);
    expect(h.sessions.parts.get(h.upload.uploadId)?.size).toBe(1);
  });

  it('succeeds when the chunk is recorded but the enqueue fails, and reports the failure', async () => {
    const h = receiverHarness({ size: CHUNK });
    h.queue.unavailable = true;
    expect(await send(h, {})).toMatchObject({ complete: true });
    expect(h.enqueueFailures).toEqual([h.upload.uploadId]);
  });

  it('takes the last chunk of its exact, shorter length', async () => {
    const h = receiverHarness({ size: CHUNK + 10 });
    const tail = Buffer.alloc(10, 7);
    expect(await send(h, { index: '1', declaredLength: 10, sha256: sha256(tail) }, tail)).toMatchObject({
      received: 1,
    });
  });
});
