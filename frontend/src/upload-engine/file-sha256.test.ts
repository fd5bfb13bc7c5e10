import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeSource, patternBytes } from '../../test/support/sources.ts';
import { FILE_HASH_SLICE_BYTES, sha256HexOfBlob } from './file-sha256.ts';

const KIB = 1024;

describe('sha256HexOfBlob', () => {
  it('hashes the whole file in slices of at most the slice size, in order, to the hex SHA-256', async () => {
    const bytes = patternBytes(100 * KIB + 7);
    const source = makeSource('a.bin', bytes);
    expect(await sha256HexOfBlob(source, () => false, 16 * KIB)).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(source.slices).toHaveLength(7);
    expect(source.slices[0]).toEqual([0, 16 * KIB]);
    expect(source.slices.at(-1)).toEqual([96 * KIB, 100 * KIB + 7]);
    for (const [start, end] of source.slices) expect(end - start).toBeLessThanOrEqual(16 * KIB);
  });

  it('reads 4 MiB at a time by default, and hashes an empty file', async () => {
    expect(FILE_HASH_SLICE_BYTES).toBe(4 * 1024 * KIB);
    const empty = makeSource('empty', new Uint8Array(0));
    expect(await sha256HexOfBlob(empty)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(empty.slices).toEqual([]);
  });

  it('stops between slices once cancelled, with an AbortError', async () => {
    const source = makeSource('a.bin', patternBytes(64 * KIB));
    let asked = 0;
    const hashing = sha256HexOfBlob(source, () => ++asked > 2, 16 * KIB);
    await expect(hashing).rejects.toMatchObject({ name: 'AbortError' });
    expect(source.slices).toHaveLength(2);
  });
});
