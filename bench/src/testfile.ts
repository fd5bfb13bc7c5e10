import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MiB } from './stats.ts';

/** Random test files on disk, written once per size and streamed by every client (never held whole in memory). */
export class TestFiles {
  private constructor(readonly dir: string) {}
  private readonly paths = new Map<number, string>();

  static async create(): Promise<TestFiles> {
    return new TestFiles(await mkdtemp(join(tmpdir(), 'lfusys-bench-')));
  }

  /** The path of a random file of `sizeMiB` MiB, generated on first use in 8 MiB pieces. */
  async get(sizeMiB: number): Promise<string> {
    const existing = this.paths.get(sizeMiB);
    if (existing) return existing;
    const path = join(this.dir, `random-${sizeMiB}MiB.bin`);
    const handle = await open(path, 'w');
    try {
      let left = sizeMiB * MiB;
      while (left > 0) {
        const piece = randomBytes(Math.min(left, 8 * MiB));
        await handle.write(piece);
        left -= piece.length;
      }
    } finally {
      await handle.close();
    }
    this.paths.set(sizeMiB, path);
    return path;
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Reads bytes [start, end) of a file (one chunk, as a browser slices a File) into a fresh buffer. */
export async function readRange(path: string, start: number, end: number): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(end - start);
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesRead } = await handle.read(buffer, offset, buffer.length - offset, start + offset);
      if (bytesRead === 0) throw new Error(`${path} ended at ${start + offset}, expected ${end}`);
      offset += bytesRead;
    }
    return buffer;
  } finally {
    await handle.close();
  }
}
