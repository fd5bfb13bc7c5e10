import { ListPartsCommand, NoSuchUpload, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '@lfusys/commons';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore } from './s3-object-store.ts';

const SHA = `${'A'.repeat(43)}=`;

/** An S3 client whose ListParts answers from `total` parts, `pageSize` at a time, recording each marker. */
function listingClient(total: number, pageSize = 1000) {
  const markers: Array<string | undefined> = [];
  const send = async (command: unknown) => {
    if (!(command instanceof ListPartsCommand)) throw new Error('unexpected command');
    const marker = command.input.PartNumberMarker;
    markers.push(marker);
    const start = Number(marker ?? 0) + 1;
    const numbers = Array.from({ length: Math.max(0, Math.min(pageSize, total - start + 1)) }, (_, i) => start + i);
    const last = numbers.at(-1) ?? start;
    return {
      Parts: numbers.map((n) => ({
        PartNumber: n,
        Size: 10,
        ETag: `"e${n}"`,
        ...(n === 2 ? { ChecksumSHA256: SHA } : {}),
      })),
      IsTruncated: last < total,
      NextPartNumberMarker: String(last),
    };
  };
  return { client: { send } as unknown as S3Client, markers };
}

describe('S3ObjectStore.listUploadedParts', () => {
  it('reads every page of a multipart upload of more than 1,000 parts', async () => {
    const { client, markers } = listingClient(2500);
    const parts = await new S3ObjectStore(client, 'b').listUploadedParts('k', 'u');
    expect(parts).toHaveLength(2500);
    expect(parts.at(-1)).toEqual({ partNumber: 2500, size: 10, etag: '"e2500"' });
    expect(parts[1]).toEqual({ partNumber: 2, size: 10, etag: '"e2"', sha256: SHA });
    expect(markers).toEqual([undefined, '1000', '2000']);
  });

  it('starts just before a range and stops once past it', async () => {
    const { client, markers } = listingClient(2500);
    const parts = await new S3ObjectStore(client, 'b').listUploadedParts('k', 'u', { from: 1500, to: 1502 });
    expect(parts.map((p) => p.partNumber)).toEqual([1500, 1501, 1502]);
    expect(markers).toEqual(['1499']);
  });

  it('reports a multipart upload that no longer exists as failed_precondition', async () => {
    const send = async () => {
      throw new NoSuchUpload({ message: 'gone', $metadata: {} });
    };
    const store = new S3ObjectStore({ send } as unknown as S3Client, 'b');
    await expect(store.listUploadedParts('k', 'u')).rejects.toMatchObject({ code: 'failed_precondition' });
  });
});

describe('S3ObjectStore.presignUploadPart', () => {
  const s3 = createS3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1' });
  const publicHost = createS3Client({ region: 'us-east-1', endpoint: 'http://storage.example:4566' });

  it('signs the checksum and length as headers, adds no checksum of its own, and signs for the public host', async () => {
    const store = new S3ObjectStore(s3, 'bucket', publicHost);
    const { url, headers } = await store.presignUploadPart('files/u/1', 'mpu-1', 3, SHA, 900, 1024);
    const parsed = new URL(url);
    expect(parsed.origin).toBe('http://storage.example:4566');
    expect(parsed.pathname).toBe('/bucket/files/u/1');
    expect(parsed.searchParams.get('X-Amz-SignedHeaders')).toBe('content-length;host;x-amz-checksum-sha256');
    expect(parsed.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(parsed.searchParams.get('partNumber')).toBe('3');
    expect(parsed.searchParams.get('uploadId')).toBe('mpu-1');
    expect([...parsed.searchParams.keys()].filter((k) => /checksum|sdk-checksum/i.test(k))).toEqual([]);
    expect(headers).toEqual({ 'x-amz-checksum-sha256': SHA });
  });
});
