import { createHash } from 'node:crypto';
import type { File as WireFile, Upload as WireUpload } from '@lfusys/proto/sessions';
import { UploadStatus } from '@lfusys/proto/sessions';
import { describe, expect, it } from 'vitest';
import { publicFile, publicUpload } from './wire.ts';

const digest = createHash('sha256').update('the bytes').digest();
const file = (sha256: string): WireFile => ({
  fileId: 'f-1',
  userId: 'u-1',
  name: 'a.bin',
  size: 9,
  contentType: 'application/octet-stream',
  createdAt: '2026-01-01T00:00:00.000Z',
  sha256,
});
const upload = (fields: Partial<WireUpload>): WireUpload => ({
  uploadId: 'up-1',
  userId: 'u-1',
  fileName: 'a.bin',
  size: 9,
  contentType: 'application/octet-stream',
  chunkSize: 1024,
  totalChunks: 1,
  receivedChunks: 1,
  receivedBytes: 9,
  status: UploadStatus.UPLOAD_STATUS_FAILED,
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: '2026-01-02T00:00:00.000Z',
  fileId: '',
  failureReason: '',
  sha256: '',
  transfer: 'relay',
  failureCode: '',
  target: undefined,
  ...fields,
});

describe('publicFile', () => {
  it('shows a verified (hex) SHA-256', () => {
    expect(publicFile(file(digest.toString('hex'))).sha256).toBe(digest.toString('hex'));
  });

  it.each([
    ['an unverified base64 claim from before verification existed', digest.toString('base64')],
    ['no hash at all', ''],
  ])('shows no sha256 for %s', (_label, sha256) => {
    expect(publicFile(file(sha256))).not.toHaveProperty('sha256');
  });
});

describe('publicUpload', () => {
  it('shows why an upload failed, in words and as a code', () => {
    const failed = publicUpload(upload({ failureReason: 'bytes differ', failureCode: 'checksum_mismatch' }));
    expect(failed).toMatchObject({ status: 'failed', failureReason: 'bytes differ', failureCode: 'checksum_mismatch' });
  });

  it('leaves failureCode out when there is none', () => {
    expect(publicUpload(upload({ status: UploadStatus.UPLOAD_STATUS_UPLOADING }))).not.toHaveProperty('failureCode');
  });
});
