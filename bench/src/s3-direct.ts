import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { readRange } from './testfile.ts';
import { now, sleep } from './time.ts';

/**
 * Variant B: the ceiling — a multipart upload straight to the same endpoint with the AWS SDK, same
 * part size and concurrency, parts streamed from disk, no application in between (and no integrity
 * hashing beyond what the SDK does by default for our client settings).
 *
 * Variant B+sha: the same with SHA-256 part checksums, as our direct transfer sends them: each part
 * is read, hashed and sent with `ChecksumSHA256` into an upload created with that algorithm, and
 * Complete lists the checksums.
 */

export interface DirectUploadResult {
  bytes: number;
  totalMs: number;
  /** CreateMultipartUpload until the last UploadPart returned. */
  partsMs: number;
  /** CompleteMultipartUpload alone (O(size) in moto: it concatenates the parts). */
  completeMs: number;
  /** B+sha: SHA-256 part checksums sent and listed. */
  checksums: boolean;
}

const sha256Base64 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

export async function uploadDirect(
  s3: S3Client,
  bucket: string,
  key: string,
  path: string,
  size: number,
  partSize: number,
  concurrency: number,
  checksums = false,
): Promise<DirectUploadResult> {
  const t0 = now();
  const created = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      ...(checksums ? { ChecksumAlgorithm: 'SHA256' } : {}),
    }),
  );
  const uploadId = created.UploadId ?? '';
  const total = Math.max(1, Math.ceil(size / partSize));
  const etags: string[] = new Array(total);
  const sums: string[] = new Array(total);
  /** B streams the part from disk; B+sha must know its hash before sending, so it reads it first. */
  const bodyOf = async (index: number, start: number, end: number) => {
    if (!checksums) return { Body: createReadStream(path, { start, end: end - 1 }) };
    const Body = await readRange(path, start, end);
    sums[index] = sha256Base64(Body);
    return { Body, ChecksumSHA256: sums[index] };
  };
  let next = 0;
  try {
    const lane = async () => {
      for (let index = next++; index < total; index = next++) {
        const start = index * partSize;
        const end = Math.min(size, start + partSize);
        for (let attempt = 1; ; attempt++) {
          try {
            const out = await s3.send(
              new UploadPartCommand({
                Bucket: bucket,
                Key: key,
                UploadId: uploadId,
                PartNumber: index + 1,
                ...(await bodyOf(index, start, end)),
                ContentLength: end - start,
              }),
            );
            etags[index] = out.ETag ?? '';
            break;
          } catch (err) {
            if (attempt >= 3) throw err;
            await sleep(500 * attempt);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
    const tParts = now();
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: {
          Parts: etags.map((ETag, i) => ({
            ETag,
            PartNumber: i + 1,
            ...(checksums ? { ChecksumSHA256: sums[i] } : {}),
          })),
        },
      }),
    );
    const tDone = now();
    return { bytes: size, totalMs: tDone - t0, partsMs: tParts - t0, completeMs: tDone - tParts, checksums };
  } catch (err) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId })).catch(() => {});
    throw err;
  }
}

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

/** Deletes every object in `bucket` (the emulator keeps them in memory or temp files otherwise). */
export async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 1000 }));
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
    if (keys.length === 0) return;
    // One by one: few keys, and DeleteObjects' required checksum is handled unevenly by emulators.
    for (const Key of keys) await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }));
  }
}

export async function removeBucket(s3: S3Client, bucket: string): Promise<void> {
  await emptyBucket(s3, bucket);
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
