import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { partWriterContract, type WriterUnderTest } from '../../test/part-writer-contract.ts';
import { MemoryPartWriter } from './memory-part-writer.ts';

const memory = async (): Promise<WriterUnderTest> => {
  const writer = new MemoryPartWriter();
  let uploads = 0;
  return {
    writer,
    destination: async () => {
      const target = { bucket: 'memory', objectKey: `files/u/${++uploads}`, multipartUploadId: `mpu-${uploads}` };
      return { target, partNumber: 1, signed: { url: `http://storage.memory/${target.objectKey}`, headers: {} } };
    },
    end: async (destination) => void writer.closed.add(destination.target.multipartUploadId),
  };
};

partWriterContract('memory', memory);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');

// S3's answers that moto does not give (BadDigest, NoSuchUpload), so the contract suite leaves them out.
describe('MemoryPartWriter, as S3 refuses a part', () => {
  it('refuses bytes other than the signed SHA-256 as the client’s fault (invalid_argument)', async () => {
    const w = await memory();
    const bytes = randomBytes(1024);
    const destination = await w.destination(bytes);
    const other = randomBytes(1024);
    const write = w.writer.writePart(
      destination,
      Readable.from([other]),
      1024,
      new AbortController().signal,
      sha256(bytes),
    );
    await expect(write).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('answers a part of an upload that has ended as failed_precondition', async () => {
    const w = await memory();
    const bytes = randomBytes(1024);
    const destination = await w.destination(bytes);
    await w.end(destination);
    const write = w.writer.writePart(
      destination,
      Readable.from([bytes]),
      1024,
      new AbortController().signal,
      sha256(bytes),
    );
    await expect(write).rejects.toMatchObject({ code: 'failed_precondition' });
  });
});
