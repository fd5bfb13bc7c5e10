import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import type { PartDestination, PartWriter } from '../src/ports/part-writer.ts';

/** A writer, and a fresh part to write: where it goes (signed for exactly `bytes`), and its upload's end. */
export interface WriterUnderTest {
  writer: PartWriter;
  /** Part 1 of a new upload, signed for `bytes` (as PreparePart signs it). */
  destination(bytes: Buffer): Promise<PartDestination>;
  /** Ends the upload the destination belongs to (its multipart upload is aborted). */
  end(destination: PartDestination): Promise<void>;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('base64');
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

/**
 * What PartTransfer and the chunk receiver rely on from a part writer, one suite for the memory
 * writer (unit) and the signed-URL writer against S3 on the emulator with URLs the real sessions
 * service signed (integration): the ETag, and ending at once on abort. Storage's refusals (other
 * bytes than the signed SHA-256, a multipart upload that no longer exists) are not in the suite:
 * moto stores the other bytes and answers the ended upload with a 500, so it cannot hold the
 * writer to them. The signed-URL writer's mapping of S3's error documents is unit-tested against a
 * local server (signed-url-part-writer.test.ts); the memory writer's own tests assert S3's answers.
 */
export function partWriterContract(name: string, create: () => Promise<WriterUnderTest>): void {
  describe(`PartWriter contract: ${name}`, () => {
    it("stores the part and answers storage's ETag, the quoted MD5 of its bytes", async () => {
      const w = await create();
      const bytes = randomBytes(1024);
      const destination = await w.destination(bytes);
      const etag = await w.writer.writePart(
        destination,
        Readable.from([bytes]),
        1024,
        new AbortController().signal,
        sha256(bytes),
      );
      expect(etag).toBe(`"${md5(bytes)}"`);
    });

    it('ends at once with the abort reason when its signal aborts mid-body', async () => {
      const w = await create();
      const bytes = randomBytes(1024);
      const destination = await w.destination(bytes);
      const client = new AbortController();
      const body = new Readable({ read() {} });
      body.push(bytes.subarray(0, 100));
      const write = w.writer.writePart(destination, body, 1024, client.signal, sha256(bytes));
      client.abort(new AppError('aborted', 'the client closed the connection'));
      await expect(write).rejects.toMatchObject({ code: 'aborted' });
    });
  });
}
