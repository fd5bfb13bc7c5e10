import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartHasher } from './part-hasher.ts';

describe('PartHasher (a worker thread)', () => {
  let dir = '';
  let path = '';
  const bytes = randomBytes(300_000);
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lfusys-part-hasher-'));
    path = join(dir, 'file.bin');
    await writeFile(path, bytes);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('answers the SHA-256 of each range asked at once, a shorter one after a longer one in the same buffer', async () => {
    const hasher = new PartHasher();
    try {
      const ranges: Array<[number, number]> = [
        [0, 131_072],
        [131_072, 262_144],
        [262_144, 300_000],
        [10, 20],
      ];
      const answers = await Promise.all(ranges.map(([start, end]) => hasher.sha256(path, start, end)));
      expect(answers).toEqual(ranges.map(([start, end]) => sha(bytes.subarray(start, end))));
    } finally {
      await hasher.close();
    }
  });

  it('refuses a range past the end of the file, and answers the next ask', async () => {
    const hasher = new PartHasher();
    try {
      await expect(hasher.sha256(path, 290_000, 310_000)).rejects.toThrow(/ended at 300000, expected 310000/);
      expect(await hasher.sha256(path, 0, 5)).toBe(sha(bytes.subarray(0, 5)));
    } finally {
      await hasher.close();
    }
  });
});
