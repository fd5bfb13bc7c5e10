import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import { AppError } from '@lfusys/commons';
import { ManualClock } from '@lfusys/commons/manual-clock';
import { type PreparePartResponse, type Upload, UploadStatus } from '@lfusys/proto/sessions';
import { describe, expect, it } from 'vitest';
import { MemoryPartWriter } from '../adapters/memory-part-writer.ts';
import type { SessionsPort } from '../ports/sessions-port.ts';
import { BodyRateGuard, SlowBodyError } from './body-rate-guard.ts';
import { ChunkReceiver, type ChunkRequest } from './chunk-receiver.ts';
import { InFlightPerUser } from './in-flight-per-user.ts';
import { PartTransfer } from './part-transfer.ts';
import { SlotLimiter } from './slot-limiter.ts';

const body = Buffer.alloc(4096, 1);
const sha = createHash('sha256').update(body).digest('base64');

const upload = (status = UploadStatus.UPLOAD_STATUS_UPLOADING): Upload => ({
  uploadId: 'up1',
  userId: 'u1',
  fileName: 'f.bin',
  transfer: 'relay',
  failureCode: '',
  size: body.length * 2,
  contentType: 'application/octet-stream',
  chunkSize: body.length,
  totalChunks: 2,
  receivedChunks: 0,
  receivedBytes: 0,
  status,
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  fileId: '',
  failureReason: '',
  sha256: '',
  target: { bucket: 'b', objectKey: 'k', multipartUploadId: 'm' },
});

const signed: PreparePartResponse = {
  outcome: {
    $case: 'signed',
    value: {
      index: 0,
      url: 'http://storage.test/b/k?partNumber=1&uploadId=m',
      method: 'PUT',
      headers: { 'x-amz-checksum-sha256': sha },
      expiresAt: '',
    },
  },
};

function setup(options: { status?: UploadStatus; cap?: number; prepared?: () => PreparePartResponse } = {}) {
  const clock = new ManualClock();
  const calls: string[] = [];
  const sessions: SessionsPort = {
    getUpload: async () => {
      calls.push('getUpload');
      return upload(options.status);
    },
    preparePart: async () => {
      calls.push('preparePart');
      return options.prepared ? options.prepared() : signed;
    },
    recordPart: async () => {
      calls.push('recordPart');
      return { receivedChunks: 1, totalChunks: 2, complete: false, newlyRecorded: true };
    },
    listParts: async () => ({ parts: [] }),
  };
  const writer = new MemoryPartWriter();
  const slots = new SlotLimiter(4, 5000, clock);
  const inFlight = new InFlightPerUser(options.cap ?? 2);
  const receiver = new ChunkReceiver({
    sessions,
    transfer: new PartTransfer(
      writer,
      slots,
      () => new BodyRateGuard({ graceMs: 15_000, minBytesPerSecond: 8192 }, clock),
    ),
    queue: { enqueue: async () => {} },
    inFlight,
    cacheMs: 0,
  });
  return { clock, calls, writer, slots, inFlight, receiver };
}

function chunk(overrides: Partial<ChunkRequest> = {}) {
  const client = new AbortController();
  const stream = new PassThrough();
  const req: ChunkRequest = {
    uploadId: 'up1',
    index: '0',
    userId: 'u1',
    declaredLength: body.length,
    sha256: sha,
    body: stream,
    requestId: 'r1',
    signal: client.signal,
    ...overrides,
  };
  return { req, stream, client };
}

describe('ChunkReceiver: chunk requests in flight per user', () => {
  it('refuses the request beyond the cap before any sessions or S3 work', async () => {
    const { receiver, calls, writer } = setup({ cap: 1 });
    const first = chunk();
    const pending = receiver.receive(first.req);
    await expect(receiver.receive(chunk().req)).rejects.toMatchObject({ code: 'too_many_requests' });
    first.stream.end(body);
    await pending;
    expect(calls.filter((c) => c === 'getUpload')).toHaveLength(1);
    expect(writer.writes).toHaveLength(1);
  });

  it('counts out a request that succeeded', async () => {
    const { receiver, inFlight, slots } = setup();
    const { req, stream } = chunk();
    const result = receiver.receive(req);
    stream.end(body);
    await expect(result).resolves.toMatchObject({ index: 0, received: 1 });
    expect({ inFlight: inFlight.total, slots: slots.inUse }).toEqual({ inFlight: 0, slots: 0 });
  });

  it('counts out a request refused by its checks', async () => {
    const { receiver, inFlight } = setup({ status: UploadStatus.UPLOAD_STATUS_COMPLETED });
    await expect(receiver.receive(chunk().req)).rejects.toMatchObject({ code: 'failed_precondition' });
    await expect(receiver.receive(chunk({ index: '01' }).req)).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(inFlight.total).toBe(0);
  });

  it('counts out a request whose client left mid-body, and records nothing', async () => {
    const { receiver, inFlight, slots, calls, writer } = setup();
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
    const { receiver, inFlight, slots, calls, clock } = setup();
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
    const { receiver, calls, writer } = setup();
    const { req, stream } = chunk();
    const result = receiver.receive(req);
    stream.end(body);
    await expect(result).resolves.toMatchObject({ index: 0, received: 1 });
    expect(calls).toEqual(['getUpload', 'preparePart', 'recordPart']);
    expect(writer.writes.map((w) => [w.partNumber, w.outcome])).toEqual([[1, 'written']]);
  });

  it('verifies a re-sent recorded chunk without storing it again', async () => {
    const recorded = (): PreparePartResponse => ({
      outcome: { $case: 'recorded', value: { index: 0, size: body.length, sha256: sha } },
    });
    const { receiver, calls, writer } = setup({ prepared: recorded });
    const { req, stream } = chunk();
    const result = receiver.receive(req);
    stream.end(body);
    await expect(result).resolves.toMatchObject({ index: 0 });
    expect(writer.writes).toHaveLength(0);
    expect(calls).toContain('recordPart');
  });

  it('refuses different bytes for a recorded index with 409 before reading the body', async () => {
    const other = createHash('sha256').update('other').digest('base64');
    const recorded = (): PreparePartResponse => ({
      outcome: { $case: 'recorded', value: { index: 0, size: body.length, sha256: other } },
    });
    const { receiver, calls, writer } = setup({ prepared: recorded });
    await expect(receiver.receive(chunk().req)).rejects.toMatchObject({ code: 'aborted' });
    expect(writer.writes).toHaveLength(0);
    expect(calls).not.toContain('recordPart');
  });

  it("passes on sessions' refusal and stores nothing", async () => {
    const refuse = (): PreparePartResponse => {
      throw new AppError('failed_precondition', 'upload is cancelled; no more chunks are accepted');
    };
    const { receiver, calls, writer } = setup({ prepared: refuse });
    await expect(receiver.receive(chunk().req)).rejects.toMatchObject({ code: 'failed_precondition' });
    expect(writer.writes).toHaveLength(0);
    expect(calls).not.toContain('recordPart');
  });
});
