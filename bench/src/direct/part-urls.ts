import { CoalescingBatcher } from './batcher.ts';
import type { DirectApi, PartToSign, SignedPart } from './direct-api.ts';

/**
 * Presigned part URLs, asked for ahead of the parts' turn (see `sendParts`) or just in time, in
 * batches (≤ 100 per call), kept until shortly before they expire. A part's URL is bound to the
 * SHA-256 it was signed with, so a cached URL — or one being signed — is used only for the same hash.
 */
export class PartUrls {
  private readonly cache = new Map<number, { part: SignedPart; sha256: string; expiresAtMs: number }>();
  private readonly signing = new Map<number, { sha256: string; part: Promise<SignedPart> }>();
  private readonly batcher: CoalescingBatcher<PartToSign, SignedPart>;
  /** POST /uploads/:id/parts calls made, and the parts they signed. */
  calls = 0;
  signed = 0;

  constructor(
    private readonly api: DirectApi,
    private readonly uploadId: string,
    private readonly clock: () => number,
    /** A URL this close to its expiry is signed again rather than risked on a long PUT. */
    private readonly marginMs = 30_000,
  ) {
    this.batcher = new CoalescingBatcher((parts) => this.sign(parts), 100);
  }

  async get(wanted: PartToSign): Promise<SignedPart> {
    const cached = this.cache.get(wanted.index);
    if (cached && cached.sha256 === wanted.sha256 && cached.expiresAtMs - this.marginMs > this.clock()) {
      return cached.part;
    }
    const pending = this.signing.get(wanted.index);
    if (pending && pending.sha256 === wanted.sha256) return pending.part;
    const part = this.batcher.request(wanted).then((signed) => {
      this.cache.set(wanted.index, { part: signed, sha256: wanted.sha256, expiresAtMs: Date.parse(signed.expiresAt) });
      return signed;
    });
    const forget = () => {
      if (this.signing.get(wanted.index)?.part === part) this.signing.delete(wanted.index);
    };
    part.then(forget, forget);
    this.signing.set(wanted.index, { sha256: wanted.sha256, part });
    return part;
  }

  /**
   * Asks URLs for parts about to leave, in one call: those cached or being signed for the same
   * bytes are skipped. A failure is left to each part's own `get` to meet again.
   */
  prefetch(parts: PartToSign[]): void {
    const wanted = parts.filter((p) => !this.has(p));
    for (const part of wanted) this.get(part).catch(() => {});
  }

  private has(wanted: PartToSign): boolean {
    const cached = this.cache.get(wanted.index);
    if (cached && cached.sha256 === wanted.sha256 && cached.expiresAtMs - this.marginMs > this.clock()) return true;
    return this.signing.get(wanted.index)?.sha256 === wanted.sha256;
  }

  /** Forgets a URL S3 refused (403: expired, or clock skew): the next get signs again. */
  invalidate(index: number): void {
    this.cache.delete(index);
  }

  private async sign(parts: PartToSign[]): Promise<SignedPart[]> {
    this.calls++;
    this.signed += parts.length;
    const answered = await this.api.signParts(this.uploadId, parts);
    const byIndex = new Map(answered.map((p) => [p.index, p]));
    return parts.map((p) => {
      const part = byIndex.get(p.index);
      if (!part) throw new Error(`signing answered no URL for part ${p.index}`);
      return part;
    });
  }
}
