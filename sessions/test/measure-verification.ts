/**
 * Measures what verifying a whole-file SHA-256 costs at assembly (DESIGN §9.2): a GiB object is
 * written to the emulator, then read back through S3ObjectStore.read and hashed by
 * sha256OfStream exactly as the Assembler does, three times; also the read alone and the hash
 * alone, to tell the emulator's share from the CPU's.
 *
 * Run: `node --import tsx sessions/test/measure-verification.ts [MiB]` (starts its own moto unless
 * AWS_ENDPOINT_URL is set; default 1024 MiB).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createS3Client, resourceNames } from '@lfusys/commons';
import { bootstrapPrefix, startEmulator } from '@lfusys/commons/local-aws';
import { S3ObjectStore } from '../src/adapters/s3-object-store.ts';
import { sha256OfStream } from '../src/domain/sha256-stream.ts';

const MiB = 1024 * 1024;
const PART = 16 * MiB;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const rate = (bytes: number, ms: number) => `${((bytes / MiB) * 1000) / ms}`.slice(0, 6);

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 1024) * MiB;
  const emulator = await startEmulator({ endpoint: process.env.AWS_ENDPOINT_URL });
  try {
    const prefix = `m-${randomUUID().slice(0, 8)}`;
    await bootstrapPrefix(prefix, emulator.endpoint);
    const s3 = createS3Client({ region: 'us-east-1', endpoint: emulator.endpoint });
    const Bucket = resourceNames(prefix).bucket;
    const Key = `measure/${randomUUID()}`;
    const part = randomBytes(PART);
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const parts: Array<{ PartNumber: number; ETag: string }> = [];
    for (let n = 1; n <= size / PART; n++) {
      part[0] = n; // every part differs
      const out = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: n, Body: part }));
      parts.push({ PartNumber: n, ETag: out.ETag ?? '' });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));

    const store = new S3ObjectStore(s3, Bucket);
    const verify: number[] = [];
    const readOnly: number[] = [];
    for (let run = 0; run < 3; run++) {
      let t = performance.now();
      const { bytes } = await sha256OfStream(await store.read(Key));
      verify.push(performance.now() - t);
      if (bytes !== size) throw new Error(`read ${bytes} bytes, expected ${size}`);
      t = performance.now();
      for await (const _chunk of await store.read(Key)) {
        // drain only
      }
      readOnly.push(performance.now() - t);
    }
    const t = performance.now();
    const hash = createHash('sha256');
    for (let n = 0; n < size / PART; n++) hash.update(part);
    hash.digest();
    const hashOnly = performance.now() - t;
    await s3.send(new DeleteObjectCommand({ Bucket, Key }));
    console.log(
      JSON.stringify({
        sizeMiB: size / MiB,
        emulator: emulator.kind,
        verifyMs: verify.map(Math.round),
        verifyMedianMiBps: rate(size, median(verify)),
        readOnlyMedianMiBps: rate(size, median(readOnly)),
        hashOnlyMiBps: rate(size, hashOnly),
      }),
    );
  } finally {
    await emulator.stop();
  }
}

await main();
