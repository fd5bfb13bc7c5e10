import type { TestClient } from '@lfusys/commons/testing';

/** The HTTP contract of direct transfer (DESIGN §9.1) as the bench client speaks it. */

export interface PartToSign {
  index: number;
  /** base64 SHA-256 of the part's bytes. */
  sha256: string;
  length: number;
}

export interface SignedPart {
  index: number;
  url: string;
  method: string;
  /** Every header the PUT must carry (x-amz-checksum-sha256 among them). */
  headers: Record<string, string>;
  /** ISO time after which S3 refuses the URL. */
  expiresAt: string;
}

/** A confirmation either recorded the indexes, or named one that storage does not have as signed. */
export type ConfirmOutcome =
  | { ok: true; received: number; totalChunks: number; complete: boolean }
  | { ok: false; index: number };

export interface DirectApi {
  signParts(uploadId: string, parts: PartToSign[]): Promise<SignedPart[]>;
  confirmParts(uploadId: string, indexes: number[]): Promise<ConfirmOutcome>;
  /** PUTs one part to its presigned URL; the status S3 answered. */
  putPart(part: SignedPart, body: Uint8Array): Promise<number>;
}

/** Headers fetch computes itself (a browser forbids setting them). */
const COMPUTED = new Set(['content-length', 'host']);

/** The contract over the gateway (signed-in TestClient) and plain fetch to storage. */
export function httpDirectApi(client: TestClient): DirectApi {
  return {
    async signParts(uploadId, parts) {
      const res = await client.post(`/uploads/${uploadId}/parts`, { parts });
      if (res.status !== 200)
        throw new Error(`POST /uploads/${uploadId}/parts: ${res.status} ${res.text.slice(0, 300)}`);
      return (res.body as { parts: SignedPart[] }).parts;
    },
    async confirmParts(uploadId, indexes) {
      const res = await client.post(`/uploads/${uploadId}/parts/confirm`, { indexes });
      if (res.status === 200) {
        const body = res.body as { received: number; totalChunks: number; complete: boolean };
        return { ok: true, received: body.received, totalChunks: body.totalChunks, complete: body.complete };
      }
      const error = (res.body as { error?: { code?: string; details?: { index?: number } } } | undefined)?.error;
      if (res.status === 409 && error?.code === 'aborted' && typeof error.details?.index === 'number') {
        return { ok: false, index: error.details.index };
      }
      throw new Error(`POST /uploads/${uploadId}/parts/confirm: ${res.status} ${res.text.slice(0, 300)}`);
    },
    async putPart(part, body) {
      const headers = Object.fromEntries(Object.entries(part.headers).filter(([k]) => !COMPUTED.has(k.toLowerCase())));
      const res = await fetch(part.url, { method: part.method, headers, body, signal: AbortSignal.timeout(120_000) });
      await res.arrayBuffer();
      return res.status;
    },
  };
}
