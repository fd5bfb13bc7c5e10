import { setImmediate as turn } from 'node:timers/promises';
import { AppError } from '@lfusys/commons';
import { UploadStatus } from '@lfusys/proto/sessions';
import { describe, expect, it } from 'vitest';
import { body, chunk, receiverHarness, sha256 } from '../../test/receiver-harness.ts';
import { SlowBodyError } from './body-rate-guard.ts';

/**
 * The harness with its upload's status set, the first chunk of that upload, and `recordFirst`: chunk 0
 * recorded in sessions as if stored earlier, with the SHA-256 of `content`.
 */
function setup(options: { status?: UploadStatus; cap?: number; cacheMs?: number } = {}) {
  const h = receiverHarness(options);
  if (options.status !== undefined) h.sessions.setStatus(h.upload.uploadId, options.status);
  const { uploadId, userId } = h.upload;
  const recordFirst = (content: Uint8Array | string) =>
    h.sessions.recordPart({ uploadId, userId, index: 0, size: body.length, sha256: sha256(content), etag: '"e"' });
  return { ...h, calls: h.sessions.calls, chunk: (overrides = {}) => chunk(h.upload, overrides), recordFirst };
}

describe('ChunkReceiver: chunk requests in flight per user', () => {
  it('refuses the request beyond the cap before any sessions or S3 work', async () => {
    const { receiver, calls, writer, chunk } = setup({ cap: 1 });
    const first = chunk();
    const pending = receiver.receive(first.req);
    await expect(receiver.receive(chunk().req)).rejects.toMatchObject({ code: 'too_many_requests' });
    first.stream.end(body);
    await pending;
    expect(calls.filter((c) => c === 'getUpload')).toHaveLength(1);
    expect(writer.writes).toHaveLength(1);
  });

  it('counts out a request that succeeded', async () => {
    const { receiver, inFlight, slots, chunk } = setup();
    const { req, stream } = chunk();
    const result = receiver.receive(req);
    stream.end(body);
    await expect(result).resolves.toMatchObject({ index: 0, received: 1 });
    expect({ inFlight: inFlight.total, slots: slots.inUse }).toEqual({ inFlight: 0, slots: 0 });
  });

  it('counts out a request refused by its checks', async () => {
    const { receiver, inFlight, chunk } = setup({ status: UploadStatus.UPLOAD_STATUS_COMPLETED });
    await expect(receiver.receive(chunk().req)).rejects.toMatchObject({ code: 'failed_precondition' });
    await expect(receiver.receive(chunk({ index: '01' }).req)).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(inFlight.total).toBe(0);
  });

  it('counts out a request whose client left mid-body, and records nothing', async () => {
    const { receiver, inFlight, slots, calls, writer, chunk } = setup();
    const { req, stream, client } = chunk();
    const result = receiver.receive(req).catch((err: unknown) => err);
    stream.write(body.subarray(0, 100));
    await turn();
    client.abort(new AppError('aborted', 'the client closed the connection'));
    expect(await result).toBeInstanceOf(AppError);
    expect({ inFlight: inFlight.total, slots: slots.inUse }).toEqual({ inFlight: 0, slots: 0 });
    expect(writer.writes[0]?.outcome).toBe('aborted');
    expect(calls).not.toContain('recordPart');
  });

  it('counts out a body cut for being too slow, and records nothing', async () => {
    const { receiver, inFlight, slots, calls, clock, chunk } = setup();
    const { req } = chunk();
    const result = receiver.receive(req).catch((err: unknown) => err);
    for (let i = 0; i < 10; i++) await turn();
    clock.advance(15_000);
    expect(await result).toBeInstanceOf(SlowBodyError);
    expect({ inFlight: inFlight.total, slots: slots.inUse }).toEqual({ inFlight: 0, slots: 0 });
    expect(calls).not.toContain('recordPart');
  });
});

describe('ChunkReceiver: one PreparePart per chunk', () => {
  it('stores the chunk at part index + 1 through the URL sessions signed, then records it', async () => {
    const { receiver, calls, writer, chunk } = setup();
    const { req, stream } = chunk();
    const result = receiver.receive(req);
    stream.end(body);
    await expect(result).resolves.toMatchObject({ index: 0, received: 1 });
    expect(calls).toEqual(['getUpload', 'preparePart', 'recordPart']);
    expect(writer.writes.map((w) => [w.partNumber, w.outcome])).toEqual([[1, 'written']]);
  });

  it('verifies a re-sent recorded chunk without storing it again', async () => {
    const { receiver, calls, writer, recordFirst, chunk } = setup();
    await recordFirst(body);
    const { req, stream } = chunk();
    const result = receiver.receive(req);
    stream.end(body);
    await expect(result).resolves.toMatchObject({ index: 0, received: 1 });
    expect(writer.writes).toHaveLength(0);
    expect(calls).toContain('preparePart');
  });

  it('refuses different bytes for a recorded index with 409 before reading the body', async () => {
    const { receiver, calls, writer, recordFirst, chunk } = setup();
    await recordFirst('other');
    calls.length = 0;
    await expect(receiver.receive(chunk().req)).rejects.toMatchObject({ code: 'aborted' });
    expect(writer.writes).toHaveLength(0);
    expect(calls).not.toContain('recordPart');
  });

  it("passes on sessions' refusal of a session it had cached as open, stores nothing and forgets the cache", async () => {
    const { receiver, calls, writer, sessions, upload, chunk } = setup({ cacheMs: 60_000 });
    const first = chunk();
    const stored = receiver.receive(first.req);
    first.stream.end(body);
    await stored;
    sessions.setStatus(upload.uploadId, UploadStatus.UPLOAD_STATUS_CANCELLED);
    await expect(receiver.receive(chunk({ index: '1' }).req)).rejects.toMatchObject({ code: 'failed_precondition' });
    expect(writer.writes).toHaveLength(1);
    expect(calls).toEqual(['getUpload', 'preparePart', 'recordPart', 'preparePart']);
    await expect(receiver.receive(chunk({ index: '1' }).req)).rejects.toMatchObject({ code: 'failed_precondition' });
    expect(calls.at(-1)).toBe('getUpload');
  });
});
