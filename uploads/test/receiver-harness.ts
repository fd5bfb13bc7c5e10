import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { ManualClock } from '@lfusys/commons/manual-clock';
import type { Upload } from '@lfusys/proto/sessions';
import { MemoryAssemblyQueue } from '../src/adapters/memory-assembly-queue.ts';
import { MemoryPartWriter } from '../src/adapters/memory-part-writer.ts';
import { MemorySessions } from '../src/adapters/memory-sessions.ts';
import { BodyRateGuard } from '../src/domain/body-rate-guard.ts';
import { ChunkReceiver, type ChunkRequest } from '../src/domain/chunk-receiver.ts';
import { InFlightPerUser } from '../src/domain/in-flight-per-user.ts';
import { PartTransfer } from '../src/domain/part-transfer.ts';
import { SlotLimiter } from '../src/domain/slot-limiter.ts';

/** Chunks of 4 KiB; the default upload has two of them. */
export const CHUNK = 4096;
export const body = Buffer.alloc(CHUNK, 1);
export const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('base64');

/** A ChunkReceiver over the memory sessions and storage, with a manual clock for the body-rate guard. */
export function receiverHarness(options: { cap?: number; size?: number; cacheMs?: number } = {}) {
  const clock = new ManualClock();
  const sessions = new MemorySessions();
  const upload = sessions.open({ userId: 'u1', size: options.size ?? CHUNK * 2, chunkSize: CHUNK });
  const writer = new MemoryPartWriter();
  const slots = new SlotLimiter(4, 5000, clock);
  const inFlight = new InFlightPerUser(options.cap ?? 2);
  const queue = new MemoryAssemblyQueue();
  const enqueueFailures: string[] = [];
  const receiver = new ChunkReceiver({
    sessions,
    transfer: new PartTransfer(
      writer,
      slots,
      () => new BodyRateGuard({ graceMs: 15_000, minBytesPerSecond: 8192 }, clock),
    ),
    queue,
    inFlight,
    cacheMs: options.cacheMs ?? 0,
    onEnqueueFailure: (uploadId) => enqueueFailures.push(uploadId),
  });
  return { clock, sessions, upload, writer, slots, inFlight, queue, enqueueFailures, receiver };
}

/** A chunk request for `upload` whose body the test writes by hand; `client.abort()` is the client leaving. */
export function chunk(upload: Upload, overrides: Partial<ChunkRequest> = {}) {
  const client = new AbortController();
  const stream = new PassThrough();
  const req: ChunkRequest = {
    uploadId: upload.uploadId,
    index: '0',
    userId: upload.userId,
    declaredLength: CHUNK,
    sha256: sha256(body),
    body: stream,
    requestId: 'r1',
    signal: client.signal,
    ...overrides,
  };
  return { req, stream, client };
}
