import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import { AppError } from '@lfusys/commons';
import { ManualClock } from '@lfusys/commons/manual-clock';
import { describe, expect, it } from 'vitest';
import { MemoryPartWriter } from '../adapters/memory-part-writer.ts';
import { BodyRateGuard, SlowBodyError } from './body-rate-guard.ts';
import { PartTransfer, type PartTransferRequest } from './part-transfer.ts';
import { SlotLimiter, SlotWaitExceededError } from './slot-limiter.ts';

const destination = {
  target: { bucket: 'b', objectKey: 'k', multipartUploadId: 'm' },
  partNumber: 1,
  signed: { url: 'http://storage.test/b/k?partNumber=1&uploadId=m', headers: {} },
};
const body = Buffer.alloc(64 * 1024, 7);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

function setup(slots = 2) {
  const clock = new ManualClock();
  const writer = new MemoryPartWriter();
  const limiter = new SlotLimiter(slots, 5000, clock);
  const transfer = new PartTransfer(
    writer,
    limiter,
    () => new BodyRateGuard({ graceMs: 15_000, minBytesPerSecond: 8192 }, clock),
  );
  return { clock, writer, limiter, transfer };
}

/** A request whose body the test writes by hand; `client.abort()` is the client leaving. */
function request(overrides: Partial<PartTransferRequest> = {}) {
  const client = new AbortController();
  const stream = new PassThrough();
  const req: PartTransferRequest = {
    body: stream,
    destination,
    expected: body.length,
    sha256: sha(body),
    signal: client.signal,
    ...overrides,
  };
  return { req, stream, client };
}

/** Records how a promise settled, so a test can look without awaiting forever. */
function observe<T>(promise: Promise<T>) {
  const state: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { value, settled: true }),
    (error: unknown) => Object.assign(state, { error, settled: true }),
  );
  return state;
}

describe('PartTransfer', () => {
  it('streams a verified body into S3 under a slot and gives the slot back', async () => {
    const { writer, limiter, transfer, clock } = setup();
    const { req, stream } = request();
    const result = observe(transfer.transfer(req));
    stream.end(body);
    await turn();
    await turn();
    expect(result.value).toMatch(/^"[0-9a-f]{32}"$/);
    expect(writer.writes).toEqual([expect.objectContaining({ bytes: body.length, outcome: 'written' })]);
    expect({ slots: limiter.inUse, timers: clock.pending }).toEqual({ slots: 0, timers: 0 });
  });

  it('aborts the S3 request before it completes when the checksum does not match', async () => {
    const { writer, limiter, transfer } = setup();
    const { req, stream } = request({ sha256: sha(Buffer.from('other bytes')) });
    const result = observe(transfer.transfer(req));
    stream.write(body.subarray(0, 1000));
    stream.end(body.subarray(1000));
    await turn();
    await turn();
    expect(result.error).toMatchObject({ code: 'invalid_argument', message: expect.stringContaining('checksum') });
    expect(writer.writes[0]).toMatchObject({ outcome: 'aborted' });
    expect(writer.writes[0]?.bytes).toBeLessThan(body.length);
    expect(limiter.inUse).toBe(0);
  });

  it('aborts the S3 request at once when the client leaves mid-body', async () => {
    const { writer, limiter, transfer, clock } = setup();
    const { req, stream, client } = request();
    const result = observe(transfer.transfer(req));
    stream.write(body.subarray(0, 1000));
    await turn();
    client.abort(new AppError('aborted', 'the client closed the connection'));
    await turn();
    // Whichever side noticed first (the body or the S3 request) names the failure; the client is gone.
    expect(result.error).toBeInstanceOf(AppError);
    expect(writer.writes[0]).toMatchObject({ outcome: 'aborted' });
    expect({ slots: limiter.inUse, timers: clock.pending }).toEqual({ slots: 0, timers: 0 });
  });

  it('aborts the S3 request when the body is too slow, leaving the request open for the 408', async () => {
    const { writer, limiter, transfer, clock } = setup();
    const { req, stream } = request();
    const result = observe(transfer.transfer(req));
    stream.write(body.subarray(0, 1024));
    await turn();
    clock.advance(15_000);
    await turn();
    expect(result.error).toBeInstanceOf(SlowBodyError);
    expect(writer.writes[0]).toMatchObject({ outcome: 'aborted' });
    expect(limiter.inUse).toBe(0);
    expect(stream.destroyed).toBe(false);
  });

  it('gives the slot back and stops reading when S3 fails', async () => {
    const { writer, limiter, transfer, clock } = setup();
    writer.failNext = new AppError('unavailable', 'object storage unavailable');
    const { req, stream } = request();
    const result = observe(transfer.transfer(req));
    stream.write(body.subarray(0, 1000));
    await turn();
    expect(result.error).toMatchObject({ code: 'unavailable' });
    expect({ slots: limiter.inUse, timers: clock.pending }).toEqual({ slots: 0, timers: 0 });
  });

  it('answers unavailable after the slot wait without reading a byte of the body', async () => {
    const { writer, limiter, transfer, clock } = setup(1);
    const first = request();
    observe(transfer.transfer(first.req));
    await turn();
    const second = request();
    const result = observe(transfer.transfer(second.req));
    second.stream.write(body.subarray(0, 1000));
    clock.advance(5000);
    await turn();
    expect(result.error).toBeInstanceOf(SlotWaitExceededError);
    expect(second.stream.readableLength).toBe(1000);
    expect(writer.writes).toHaveLength(1);
    first.stream.end(body);
    await turn();
    await turn();
    expect(limiter.inUse).toBe(0);
  });

  it('stops waiting for a slot when the client leaves', async () => {
    const { limiter, transfer } = setup(1);
    observe(transfer.transfer(request().req));
    await turn();
    const { req, client } = request();
    const result = observe(transfer.transfer(req));
    client.abort(new AppError('aborted', 'the client closed the connection'));
    await turn();
    expect(result.error).toMatchObject({ code: 'aborted' });
    expect(limiter.waiting).toBe(0);
  });

  it('verifies a retry of a stored chunk without taking a slot or writing to S3', async () => {
    const { writer, limiter, transfer } = setup(1);
    await limiter.acquire();
    const { req, stream } = request({ destination: undefined });
    const result = observe(transfer.transfer(req));
    stream.end(body);
    await turn();
    await turn();
    expect(result).toMatchObject({ settled: true, value: '' });
    expect(writer.writes).toEqual([]);
  });
});
