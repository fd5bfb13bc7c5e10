import { describe, expect, it } from 'vitest';
import { makeSource, patternBytes } from '../../test/support/sources.ts';
import { fingerprint } from './fingerprint.ts';
import { subtleHasher } from './sha256.ts';

const KIB = 1024;

function changed(bytes: Uint8Array<ArrayBuffer>, at: number): Uint8Array<ArrayBuffer> {
  const copy = bytes.slice();
  copy[at] = (copy[at] ?? 0) ^ 0xff;
  return copy;
}

describe('fingerprint', () => {
  const bytes = patternBytes(300 * KIB);
  const print = (data: Uint8Array<ArrayBuffer>, options: { name?: string; lastModified?: number } = {}) =>
    fingerprint(makeSource(options.name ?? 'a.bin', data, { lastModified: options.lastModified ?? 1 }), subtleHasher);

  it('is stable for the same file', async () => {
    expect(await print(bytes)).toBe(await print(bytes.slice()));
  });

  it('changes when the first or the last 64 KiB change', async () => {
    const original = await print(bytes);
    expect(await print(changed(bytes, 0))).not.toBe(original);
    expect(await print(changed(bytes, 64 * KIB - 1))).not.toBe(original);
    expect(await print(changed(bytes, bytes.length - 64 * KIB))).not.toBe(original);
    expect(await print(changed(bytes, bytes.length - 1))).not.toBe(original);
  });

  it('reads only the two ends of a large file (the middle does not count)', async () => {
    const source = makeSource('a.bin', bytes, { lastModified: 1 });
    const original = await fingerprint(source, subtleHasher);
    expect(source.slices).toEqual([
      [0, 64 * KIB],
      [bytes.length - 64 * KIB, bytes.length],
    ]);
    expect(await print(changed(bytes, 64 * KIB))).toBe(original);
    expect(await print(changed(bytes, 150 * KIB))).toBe(original);
  });

  it('changes with the name, the size and the modification time', async () => {
    const original = await print(bytes);
    expect(await print(bytes, { name: 'b.bin' })).not.toBe(original);
    expect(await print(bytes, { lastModified: 2 })).not.toBe(original);
    expect(await print(bytes.slice(0, bytes.length - 1))).not.toBe(original);
  });

  it('hashes a small file whole, once', async () => {
    const small = patternBytes(128 * KIB);
    const source = makeSource('s.bin', small, { lastModified: 1 });
    const original = await fingerprint(source, subtleHasher);
    expect(source.slices).toEqual([[0, 128 * KIB]]);
    expect(
      await fingerprint(makeSource('s.bin', changed(small, 64 * KIB), { lastModified: 1 }), subtleHasher),
    ).not.toBe(original);
    expect(original).toContain(await subtleHasher.sha256(new Blob([small])));
  });
});
