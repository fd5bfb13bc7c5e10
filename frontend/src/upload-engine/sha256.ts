import { abortError } from './errors.ts';
import { sha256HexOfBlob } from './file-sha256.ts';
import type { Hasher } from './types.ts';

/** Standard base64 (with padding) of raw bytes. */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Base64 SHA-256 of a blob, computed with `crypto.subtle` on the calling thread. */
export async function sha256Base64(blob: Blob): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  return toBase64(new Uint8Array(digest));
}

/** Hashes on the main thread: the fallback where Web Workers are unavailable, and the tests' hasher. */
export const subtleHasher: Hasher = {
  sha256: sha256Base64,
  sha256File: (blob, signal) =>
    signal.aborted ? Promise.reject(abortError()) : sha256HexOfBlob(blob, () => signal.aborted),
};
