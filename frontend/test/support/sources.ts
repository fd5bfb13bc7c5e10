import type { UploadSource } from '../../src/upload-engine/types.ts';

/** A test source with the bytes it is made of, recording which ranges were read. */
export interface TestSource extends UploadSource {
  readonly bytes: Uint8Array;
  readonly slices: [number, number][];
}

/** `size` bytes of a repeatable pattern (different seeds, different bytes). */
export function patternBytes(size: number, seed = 1): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
}

/** A Blob-backed `UploadSource`, like a `File`. */
export function makeSource(
  name: string,
  bytes: Uint8Array<ArrayBuffer>,
  options: { lastModified?: number; type?: string } = {},
): TestSource {
  const blob = new Blob([bytes]);
  const slices: [number, number][] = [];
  return {
    name,
    size: blob.size,
    lastModified: options.lastModified ?? 1_700_000_000_000,
    type: options.type ?? 'application/octet-stream',
    bytes,
    slices,
    slice(start: number, end: number): Blob {
      slices.push([start, end]);
      return blob.slice(start, end);
    },
  };
}
