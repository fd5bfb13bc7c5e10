import { describe, expect, it } from 'vitest';
import { createHttpUploadServer, type JsonApi } from './http-upload-server.ts';
import { ApiError } from './types.ts';

interface ApiCall {
  method: string;
  path: string;
  body?: unknown;
}

function fakeApi(answer: (call: ApiCall) => unknown): { api: JsonApi; calls: ApiCall[] } {
  const calls: ApiCall[] = [];
  const api: JsonApi = {
    async request<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
      const call = body === undefined ? { method, path } : { method, path, body };
      calls.push(call);
      return answer(call) as T;
    },
  };
  return { api, calls };
}

const upload = {
  uploadId: 'u-1',
  fileName: 'a.bin',
  size: 10,
  contentType: 'application/octet-stream',
  chunkSize: 8,
  totalChunks: 2,
  receivedChunks: 1,
  receivedBytes: 8,
  status: 'uploading',
  createdAt: '2030-01-01T00:00:00.000Z',
  expiresAt: '2030-01-02T00:00:00.000Z',
};

describe('createHttpUploadServer: API calls', () => {
  it('opens an upload with POST /uploads', async () => {
    const plan = {
      uploadId: 'u-1',
      chunkSize: 8,
      totalChunks: 2,
      expiresAt: '2030-01-02T00:00:00.000Z',
      uploadUrl: 'https://up.test/v1/uploads/u-1',
      uploadToken: 't',
      uploadTokenExpiresAt: '2030-01-01T01:00:00.000Z',
    };
    const { api, calls } = fakeApi(() => ({ ...plan, upload }));
    const transport = createHttpUploadServer(api);
    expect(await transport.openUpload({ fileName: 'a.bin', size: 10 })).toEqual(plan);
    await transport.openUpload({ fileName: 'b.txt', size: 3, contentType: 'text/plain' });
    expect(calls).toEqual([
      { method: 'POST', path: '/uploads', body: { fileName: 'a.bin', size: 10 } },
      { method: 'POST', path: '/uploads', body: { fileName: 'b.txt', size: 3, contentType: 'text/plain' } },
    ]);
  });

  it('flattens GET /uploads/:id', async () => {
    const { api, calls } = fakeApi(() => ({
      upload,
      receivedIndexes: [0],
      uploadUrl: 'https://up.test/v1/uploads/u-1',
      uploadToken: 't2',
      uploadTokenExpiresAt: '2030-01-01T01:00:00.000Z',
    }));
    expect(await createHttpUploadServer(api).getUpload('u-1')).toEqual({
      uploadId: 'u-1',
      status: 'uploading',
      chunkSize: 8,
      totalChunks: 2,
      receivedIndexes: [0],
      uploadUrl: 'https://up.test/v1/uploads/u-1',
      uploadToken: 't2',
      uploadTokenExpiresAt: '2030-01-01T01:00:00.000Z',
    });
    expect(calls).toEqual([{ method: 'GET', path: '/uploads/u-1' }]);

    const done = fakeApi(() => ({
      upload: { ...upload, status: 'completed', fileId: 'f-1' },
      receivedIndexes: [0, 1],
    }));
    expect(await createHttpUploadServer(done.api).getUpload('u-1')).toEqual({
      uploadId: 'u-1',
      status: 'completed',
      chunkSize: 8,
      totalChunks: 2,
      receivedIndexes: [0, 1],
      fileId: 'f-1',
    });
  });

  it('cancels with DELETE /uploads/:id and passes ApiErrors through', async () => {
    const { api, calls } = fakeApi((call) => {
      if (call.path === '/uploads/gone') throw new ApiError(404, 'not_found', 'upload not found');
      return undefined;
    });
    const transport = createHttpUploadServer(api);
    await transport.cancelUpload('u-1');
    expect(calls).toEqual([{ method: 'DELETE', path: '/uploads/u-1' }]);
    await expect(transport.getUpload('gone')).rejects.toMatchObject({ name: 'ApiError', status: 404 });
  });
});

describe('createHttpUploadServer: direct transfer and the whole-file SHA-256', () => {
  it('reads the transfer the server chose: a direct answer has no uploads URL or token', async () => {
    const plan = { uploadId: 'u-1', chunkSize: 8, totalChunks: 2, expiresAt: '2030-01-02T00:00:00.000Z' };
    const { api } = fakeApi(() => ({ ...plan, transfer: 'direct', upload: { ...upload, transfer: 'direct' } }));
    expect(await createHttpUploadServer(api).openUpload({ fileName: 'a.bin', size: 10 })).toEqual({
      ...plan,
      transfer: 'direct',
    });
  });

  it('flattens the transfer and failureCode of GET /uploads/:id', async () => {
    const { api } = fakeApi(() => ({
      upload: { ...upload, status: 'failed', transfer: 'direct', failureCode: 'checksum_mismatch', failureReason: 'x' },
      receivedIndexes: [],
    }));
    expect(await createHttpUploadServer(api).getUpload('u-1')).toMatchObject({
      status: 'failed',
      transfer: 'direct',
      failureCode: 'checksum_mismatch',
      failureReason: 'x',
    });
  });

  it('signs with POST /uploads/:id/parts, confirms with POST /uploads/:id/parts/confirm, declares with PATCH', async () => {
    const signed = {
      index: 0,
      url: 'https://s3.test/b/k?partNumber=1',
      method: 'PUT',
      headers: { 'x-amz-checksum-sha256': 'c2hh' },
      expiresAt: '2030-01-01T00:15:00.000Z',
    };
    const { api, calls } = fakeApi((call) => {
      if (call.path.endsWith('/parts')) return { parts: [signed] };
      if (call.path.endsWith('/confirm')) return { received: 1, totalChunks: 2, complete: false };
      return { upload };
    });
    const server = createHttpUploadServer(api);
    expect(await server.signParts('u-1', [{ index: 0, sha256: 'c2hh', length: 8 }])).toEqual([signed]);
    expect(await server.confirmParts('u-1', [0])).toEqual({ received: 1, totalChunks: 2, complete: false });
    await server.declareSha256('u-1', 'ab'.repeat(32));
    expect(calls).toEqual([
      { method: 'POST', path: '/uploads/u-1/parts', body: { parts: [{ index: 0, sha256: 'c2hh', length: 8 }] } },
      { method: 'POST', path: '/uploads/u-1/parts/confirm', body: { indexes: [0] } },
      { method: 'PATCH', path: '/uploads/u-1', body: { sha256: 'ab'.repeat(32) } },
    ]);
  });
});
