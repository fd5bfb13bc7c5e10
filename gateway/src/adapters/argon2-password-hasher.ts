import argon2 from 'argon2';
import type { PasswordHasher } from '../ports/password-hasher.ts';
import { ConcurrencyGate } from './concurrency-gate.ts';

/**
 * argon2id cost. The config's defaults are OWASP's Password Storage Cheat Sheet baseline (19 MiB,
 * 2 iterations, 1 lane). argon2 hashes on libuv's thread pool, so the event loop stays free.
 */
export interface Argon2Parameters {
  memoryKiB: number;
  timeCost: number;
  parallelism: number;
}

export class Argon2PasswordHasher implements PasswordHasher {
  private readonly gate: ConcurrencyGate;

  constructor(
    private readonly params: Argon2Parameters,
    /** Hashes at once; the rest queue (config ARGON2_MAX_CONCURRENT explains the default). */
    maxConcurrent: number,
  ) {
    this.gate = new ConcurrencyGate(maxConcurrent);
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() =>
      argon2.hash(password, {
        type: argon2.argon2id,
        memoryCost: this.params.memoryKiB,
        timeCost: this.params.timeCost,
        parallelism: this.params.parallelism,
      }),
    );
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await this.gate.run(() => argon2.verify(hash, password));
    } catch {
      // A malformed stored hash must fail closed, not crash the login.
      return false;
    }
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
}
