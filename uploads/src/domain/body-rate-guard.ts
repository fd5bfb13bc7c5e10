import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '@lfusys/commons';
import type { Clock } from '../ports/clock.ts';

/** The slowest body a worker keeps reading (DESIGN.md §9.3: a minimum rate, not a whole-request deadline). */
export interface BodyRatePolicy {
  /** Time a body may take to get going (TCP slow start, a mobile radio waking up) before its rate is judged. */
  graceMs: number;
  /** Once the grace is over, the average rate since the body began must stay at least this. */
  minBytesPerSecond: number;
}

/** How often the rate is checked: a slow body is cut within a second of falling below the rate. */
export const RATE_CHECK_EVERY_MS = 1000;

/** Whether `bytes` delivered in `elapsedMs` of the client's time fall below the policy's rate. */
export function isBelowRate(policy: BodyRatePolicy, elapsedMs: number, bytes: number): boolean {
  return elapsedMs >= policy.graceMs && bytes * 1000 < policy.minBytesPerSecond * elapsedMs;
}

/**
 * The client sent its body too slowly. The code is `deadline_exceeded`, but the status is 408
 * (the client's own request timed out), not the table's 504 (a deadline of ours upstream).
 */
export class SlowBodyError extends AppError {
  readonly httpStatus = 408;

  constructor(policy: BodyRatePolicy, bytes: number, elapsedMs: number) {
    super(
      'deadline_exceeded',
      `chunk body arrived slower than ${policy.minBytesPerSecond} bytes/s (after a grace of ${policy.graceMs} ms)`,
      {
        details: {
          limit: 'BODY_MIN_BYTES_PER_SECOND',
          minBytesPerSecond: policy.minBytesPerSecond,
          graceMs: policy.graceMs,
          bytes,
          elapsedMs: Math.round(elapsedMs),
        },
      },
    );
  }
}

/**
 * Passes a request body through, counting its bytes, and fails the stream with `SlowBodyError`
 * once the body's average rate falls below the policy after the grace period — including a body
 * that sends nothing at all. Time during which the stream's consumer (S3) refused more bytes is
 * not counted against the client: a slow store must not make an honest client look slow.
 */
export class BodyRateGuard extends Transform {
  bytes = 0;
  private readonly startedAt: number;
  private stalledMs = 0;
  private stalledSince: number | undefined;
  private timer: unknown;

  constructor(
    private readonly policy: BodyRatePolicy,
    private readonly clock: Clock,
  ) {
    super();
    this.startedAt = clock.now();
    this.arm();
  }

  /** Milliseconds of the client's time: since the start, minus the time our consumer held back. */
  clientElapsedMs(): number {
    const now = this.clock.now();
    const stalledNow = this.stalledSince === undefined ? 0 : now - this.stalledSince;
    return now - this.startedAt - this.stalledMs - stalledNow;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    // push() answers false once the consumer's buffer is full: from then on we stop reading.
    if (!this.push(chunk) && this.stalledSince === undefined) this.stalledSince = this.clock.now();
    callback();
  }

  override _read(size: number): void {
    // The consumer asks for more: the client is on the clock again.
    if (this.stalledSince !== undefined) {
      this.stalledMs += this.clock.now() - this.stalledSince;
      this.stalledSince = undefined;
    }
    super._read(size);
  }

  override _flush(callback: TransformCallback): void {
    this.disarm();
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.disarm();
    callback(err);
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => this.check(), RATE_CHECK_EVERY_MS);
  }

  private disarm(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    this.timer = undefined;
    if (this.destroyed || this.writableFinished) return;
    const elapsed = this.clientElapsedMs();
    if (isBelowRate(this.policy, elapsed, this.bytes)) {
      this.destroy(new SlowBodyError(this.policy, this.bytes, elapsed));
      return;
    }
    this.arm();
  }
}
