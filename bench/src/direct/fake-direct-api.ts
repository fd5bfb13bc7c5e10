import { createHash } from 'node:crypto';
import type { ConfirmOutcome, DirectApi, PartToSign, SignedPart } from './direct-api.ts';

/**
 * The §9.1 server and S3 in memory, for tests: URLs carry the signed checksum and expiry and S3
 * refuses a PUT past expiry (403) or with other bytes (400), as real S3 does and moto does not;
 * confirm checks each index against what was stored and records nothing on a refusal.
 */
export class FakeDirectApi implements DirectApi {
  readonly signCalls: PartToSign[][] = [];
  readonly confirmCalls: number[][] = [];
  readonly puts: number[] = [];
  readonly recorded = new Set<number>();
  /** Statuses S3 answers to the next PUTs of an index, before it behaves (e.g. [403] or [500]). */
  readonly scripted = new Map<number, number[]>();
  /** Indexes whose stored bytes vanish once (a confirm then finds them missing). */
  readonly loseOnce = new Set<number>();
  private readonly stored = new Map<number, string>();
  private serial = 0;

  constructor(
    private readonly totalChunks: number,
    private readonly clock: () => number,
    private readonly ttlMs = 900_000,
  ) {}

  async signParts(_uploadId: string, parts: PartToSign[]): Promise<SignedPart[]> {
    this.signCalls.push(parts);
    const expiresAtMs = this.clock() + this.ttlMs;
    return parts.map((p) => ({
      index: p.index,
      url: `https://bucket.s3.example/key?partNumber=${p.index + 1}&sig=${++this.serial}&exp=${expiresAtMs}`,
      method: 'PUT',
      headers: { 'x-amz-checksum-sha256': p.sha256, 'content-length': String(p.length) },
      expiresAt: new Date(expiresAtMs).toISOString(),
    }));
  }

  async putPart(part: SignedPart, body: Uint8Array): Promise<number> {
    this.puts.push(part.index);
    const scripted = this.scripted.get(part.index)?.shift();
    if (scripted !== undefined) return scripted;
    if (Number(new URL(part.url).searchParams.get('exp')) <= this.clock()) return 403;
    const sha256 = createHash('sha256').update(body).digest('base64');
    if (sha256 !== part.headers['x-amz-checksum-sha256']) return 400;
    this.stored.set(part.index, sha256);
    return 200;
  }

  async confirmParts(_uploadId: string, indexes: number[]): Promise<ConfirmOutcome> {
    this.confirmCalls.push(indexes);
    for (const index of indexes) {
      if (this.loseOnce.delete(index)) this.stored.delete(index);
      if (!this.stored.has(index)) return { ok: false, index };
    }
    for (const index of indexes) this.recorded.add(index);
    const complete = this.recorded.size === this.totalChunks;
    return { ok: true, received: this.recorded.size, totalChunks: this.totalChunks, complete };
  }
}
