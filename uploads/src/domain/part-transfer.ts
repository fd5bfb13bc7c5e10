import { type Readable, type Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@lfusys/commons';
import type { PartDestination, PartWriter } from '../ports/part-writer.ts';
import { HashingLimiter } from './hashing-limiter.ts';
import type { SlotLimiter } from './slot-limiter.ts';

export interface PartTransferRequest {
  body: Readable;
  /** Absent for a retry of a stored chunk: its body is verified but not stored again. */
  destination: PartDestination | undefined;
  /** The exact length the body must have. */
  expected: number;
  /** Base64 SHA-256 the body must have. */
  sha256: string;
  /** Aborts when the client has left. */
  signal: AbortSignal;
}

/** A stream that drops what it is given (for bodies that are verified but not stored). */
const discard = () =>
  new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });

/**
 * Moves one chunk body into S3 so that a worker holds an S3 connection only for a live body
 * (issue 12): it takes one of the process's S3 slots before reading a byte (a full pool is a quick
 * 503, never a hang), streams the body through the rate guard and the hashing limiter, and aborts
 * the S3 request the moment the body fails — the client left, sent too slowly, too much, too little
 * or other bytes — so the connection goes back to the pool at once. The slot is given back when
 * the S3 request has settled, on every path.
 */
export class PartTransfer {
  constructor(
    private readonly parts: PartWriter,
    private readonly slots: SlotLimiter,
    private readonly newRateGuard: () => Transform,
  ) {}

  /** Resolves with the part's ETag ('' when not stored); rejects with the first failure. */
  async transfer(req: PartTransferRequest): Promise<string> {
    const { destination } = req;
    const release = destination ? await this.slots.acquire(req.signal) : undefined;
    const failed = new AbortController();
    const guard = this.newRateGuard();
    const limiter = new HashingLimiter(req.expected, req.sha256);
    // The first failure, wherever it happens, aborts the S3 request and ends the body's streams
    // (their timers included); the request itself is left for the error answer.
    const stop = (err: unknown) => {
      if (!failed.signal.aborted) failed.abort(err);
      guard.destroy(err instanceof Error ? err : new Error(String(err)));
    };
    const pump = this.pump(req, guard, limiter).catch((err: unknown) => {
      stop(err);
      throw err;
    });
    const write =
      release && destination
        ? this.parts
            .writePart(destination, limiter, req.expected, AbortSignal.any([failed.signal, req.signal]), req.sha256)
            .finally(release)
        : Promise.resolve('');
    write.catch(stop);
    const [, etag] = await Promise.all([pump, write]);
    return etag;
  }

  /**
   * The request body feeds the guard through pipe(), not pipeline(): a failure then leaves the
   * request itself alone, so the error answer (a 408 for a slow body) can still be written before
   * the connection is closed. A client that leaves fails the guard, which fails the rest.
   */
  private pump(req: PartTransferRequest, guard: Transform, limiter: HashingLimiter): Promise<void> {
    const clientLeft = () =>
      guard.destroy(new AppError('invalid_argument', 'chunk body was cut off', { cause: req.signal.reason }));
    if (req.signal.aborted) clientLeft();
    else req.signal.addEventListener('abort', clientLeft, { once: true });
    req.body.on('error', (err) =>
      guard.destroy(new AppError('invalid_argument', 'chunk body was cut off', { cause: err })),
    );
    req.body.pipe(guard);
    return pipeline(guard, limiter, ...(req.destination ? [] : [discard()])).finally(() => {
      req.signal.removeEventListener('abort', clientLeft);
      req.body.unpipe(guard);
    });
  }
}
