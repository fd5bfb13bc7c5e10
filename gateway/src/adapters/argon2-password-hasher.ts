import { AppError } from '@lfusys/commons';
import argon2 from 'argon2';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import { ConcurrencyGate, GateFullError } from './concurrency-gate.ts';

/**
 * argon2id cost. The config's defaults are OWASP's Password Storage Cheat Sheet baseline (19 MiB,
 * 2 iterations, 1 lane). argon2 hashes on libuv's thread pool, so the event loop stays free.
 */
export interface Argon2Parameters {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

/** How many hashes may run and wait at once (config ARGON2_MAX_CONCURRENT and ARGON2_MAX_QUEUE). */
export interface Argon2Capacity {
  maxConcurrent: number;
  maxQueue: number;
}

/**
 * A full queue drains in about (queue ÷ concurrency) × one hash (~30 ms on the OWASP baseline),
 * well under a second with the defaults: one second is the honest earliest retry.
 */
const BUSY_RETRY_AFTER_SECONDS = 1;

export class Argon2PasswordHasher implements PasswordHasher {
  private readonly gate: ConcurrencyGate;

  constructor(
    private readonly params: Argon2Parameters,
    capacity: Argon2Capacity,
  ) {
    this.gate = new ConcurrencyGate(capacity.maxConcurrent, capacity.maxQueue);
  }

  hash(password: string): Promise<string> {
    return this.gated(() =>
      argon2.hash(password, {
        type: argon2.argon2id,
        memoryCost: this.params.memoryKiB,
        timeCost: this.params.timeCost,
        parallelism: this.params.parallelism,
      }),
    );
  }

  verify(hash: string, password: string): Promise<boolean> {
    return this.gated(async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        // A malformed stored hash must fail closed, not crash the login.
        return false;
      }
    });
  }

  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, {
        memoryCost: this.params.memoryKiB,
        timeCost: this.params.timeCost,
        parallelism: this.params.parallelism,
      });
    } catch {
      return true;
    }
  }

  /** Runs a hash through the gate; a full queue is a fast 503 with Retry-After, never a silent `false`. */
  private async gated<T>(task: () => Promise<T>): Promise<T> {
    try {
      return await this.gate.run(task);
    } catch (err) {
      if (!(err instanceof GateFullError)) throw err;
      throw new AppError('unavailable', 'too many sign-ins in progress; retry shortly', {
        cause: err,
        retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
        details: { limit: 'argon2_queue' },
      });
    }
  }
}
