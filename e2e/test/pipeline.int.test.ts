import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { createS3Client, resourceNames } from '@lfusys/commons';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type Stack, signUp, startStack, type TestClient } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  chunkOf,
  putChunk,
  sendChunks,
  sha256,
  sha256Hex,
  shuffled,
  type UploadPlan,
  waitForUpload,
} from './chunks.ts';

const MiB = 1024 * 1024;
const QUOTA = 200 * MiB;
let stack: Stack;
let s3: ReturnType<typeof createS3Client>;
let bucket: string;

beforeAll(async () => {
  stack = await startStack({
    endpoint: inject('awsEndpoint'),
    gateway: true,
    uploads: true,
    uploadsWorkers: 2,
    env: {
      // 1 MiB chunks (moto runs with a lowered part minimum) keep the test fast on a small machine.
      sessions: { CHUNK_SIZE_BYTES: String(MiB), USER_QUOTA_BYTES: String(QUOTA), MAX_FILE_BYTES: String(QUOTA) },
    },
  });
  s3 = createS3Client({ region: 'us-east-1', endpoint: stack.endpoint });
  bucket = resourceNames(stack.prefix).bucket;
}, 120_000);
afterAll(() => stack?.stop());

async function openUpload(client: TestClient, file: Buffer, fileName = 'data.bin'): Promise<UploadPlan> {
  const res = await client.post('/uploads', {
    fileName,
    size: file.length,
    contentType: 'application/octet-stream',
    sha256: sha256Hex(file),
  });
  if (res.status !== 201) throw new Error(`open upload: ${res.status} ${res.text}`);
  return res.body as UploadPlan;
}

/** Uploads `file` completely and returns its file id. */
async function uploadFile(client: TestClient, file: Buffer, fileName?: string): Promise<string> {
  const plan = await openUpload(client, file, fileName);
  await sendChunks(plan, file, [...Array(plan.totalChunks).keys()], 4);
  const view = await waitForUpload(client, plan.uploadId, 'completed');
  return view.upload.fileId ?? '';
}

async function openMultipartUploads(userId: string): Promise<number> {
  const out = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `files/${userId}/` }));
  return out.Uploads?.length ?? 0;
}

async function objectExists(key: string): Promise<boolean> {
  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    () => false,
  );
}

describe('uploading through the gateway and the uploads workers', () => {
  it('assembles a 64 MiB file sent as shuffled, partly duplicated chunks over 6 connections to 2 worker processes', async () => {
    const { client, userId } = await signUp(stack.gatewayApi);
    const file = randomBytes(64 * MiB);
    const plan = await openUpload(client, file, 'big "report".bin');
    expect(plan).toMatchObject({ chunkSize: MiB, totalChunks: 64 });
    expect(plan.uploadUrl).toBe(`${stack.uploadsBase}/uploads/${plan.uploadId}`);

    // The browser's preflight from the app origin is allowed, with the headers a chunk PUT needs.
    const preflight = await fetch(`${plan.uploadUrl}/chunks/0`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'authorization,content-type,x-chunk-sha256',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-chunk-sha256');
    const foreign = await fetch(`${plan.uploadUrl}/chunks/0`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'PUT' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    const indexes = [...Array(64).keys()];
    const duplicates = shuffled(indexes).slice(0, 12);
    await sendChunks(plan, file, shuffled([...indexes, ...duplicates]), 6);

    const view = await waitForUpload(client, plan.uploadId, 'completed');
    const fileId = view.upload.fileId ?? '';
    const listed = ((await client.get('/files?limit=100')).body as { files: Array<{ id: string }> }).files;
    expect(listed.filter((f) => f.id === fileId)).toHaveLength(1);
    expect(listed).toHaveLength(1);

    const download = await client.get(`/files/${fileId}/download`);
    expect(download.status).toBe(200);
    const { url } = download.body as { url: string };
    // S3 sends this header back on download (moto ignores response-* overrides, so check the request).
    expect(new URL(url).searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="big _report_.bin"; filename*=UTF-8''big%20%22report%22.bin`,
    );
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const downloaded = Buffer.from(await res.arrayBuffer());
    expect(downloaded.length).toBe(file.length);
    expect(sha256(downloaded)).toBe(sha256(file));
    expect(await openMultipartUploads(userId)).toBe(0);

    // Both worker processes took chunks (their log lines carry their pid).
    const chunkPids = new Set(
      stack.processes.uploads
        ?.output()
        .split('\n')
        .filter((line) => line.includes('"/uploads/') && line.includes('/chunks/'))
        .map((line) => (JSON.parse(line) as { pid: number }).pid),
    );
    expect(chunkPids.size).toBeGreaterThanOrEqual(2);
  }, 180_000);

  it('resumes: GET /uploads/:id lists the received chunks and renews the token; only the rest is sent', async () => {
    const { client } = await signUp(stack.gatewayApi);
    const file = randomBytes(5 * MiB + 123);
    const plan = await openUpload(client, file);
    expect(plan.totalChunks).toBe(6);
    await sendChunks(plan, file, [0, 2, 5], 3);

    const resumed = await client.get(`/uploads/${plan.uploadId}`);
    expect(resumed.status).toBe(200);
    const body = resumed.body as UploadPlan & { receivedIndexes: number[]; upload: { status: string } };
    expect(body.receivedIndexes).toEqual([0, 2, 5]);
    expect(body.upload).toMatchObject({ status: 'uploading', receivedChunks: 3 });
    expect(body.uploadToken).toBeTruthy();
    expect(body.uploadToken).not.toBe(plan.uploadToken);

    await sendChunks({ ...plan, uploadToken: body.uploadToken }, file, [1, 3, 4], 3);
    const done = await waitForUpload(client, plan.uploadId, 'completed');
    expect(done.receivedIndexes).toEqual([]);
    const detail = (await client.get(`/uploads/${plan.uploadId}`)).body as Record<string, unknown>;
    // A finished upload hands out no more upload tokens.
    expect(detail.uploadToken).toBeUndefined();
  }, 60_000);

  it('pages through files newest first with an opaque cursor', async () => {
    const { client } = await signUp(stack.gatewayApi);
    const ids: string[] = [];
    for (const name of ['one.txt', 'two.txt', 'three.txt']) ids.push(await uploadFile(client, randomBytes(1000), name));
    const first = (await client.get('/files?limit=2')).body as {
      files: Array<{ id: string; name: string }>;
      nextCursor: string;
    };
    expect(first.files.map((f) => f.name)).toEqual(['three.txt', 'two.txt']);
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = (await client.get(`/files?limit=2&cursor=${first.nextCursor}`)).body as {
      files: Array<{ name: string }>;
      nextCursor: string | null;
    };
    expect(second.files.map((f) => f.name)).toEqual(['one.txt']);
    expect(second.nextCursor).toBeNull();

    // Another user's cursor is refused, not followed.
    const other = await signUp(stack.gatewayApi);
    expect((await other.client.get(`/files?limit=2&cursor=${first.nextCursor}`)).status).toBe(400);
  }, 60_000);
});

describe('files: rename, download, delete, quota and ownership', () => {
  it('renames to a sanitised name, downloads under it, deletes object and record, and releases quota', async () => {
    const { client, userId } = await signUp(stack.gatewayApi);
    const file = randomBytes(2 * MiB + 10);
    const fileId = await uploadFile(client, file, 'draft.txt');
    const key = `files/${userId}/${fileId}`;
    expect(await objectExists(key)).toBe(true);

    const renamed = await client.request('PATCH', `/files/${fileId}`, {
      json: { name: '../../etc/pa\r\nss"wd\u202e.txt' },
    });
    expect(renamed.status).toBe(200);
    const name = (renamed.body as { file: { name: string } }).file.name;
    expect(name).toBe('.._.._etc_pass"wd.txt');
    const { url } = (await client.get(`/files/${fileId}/download`)).body as { url: string };
    expect(new URL(url).searchParams.get('response-content-disposition')).toBe(
      `attachment; filename=".._.._etc_pass_wd.txt"; filename*=UTF-8''.._.._etc_pass%22wd.txt`,
    );

    // The quota counts this file: a second upload that would exceed it is refused with a clear code.
    const tooMuch = await client.post('/uploads', { fileName: 'big.bin', size: QUOTA - 1 * MiB });
    expect(tooMuch.status).toBe(403);
    expect(tooMuch.body).toMatchObject({ error: { code: 'permission_denied', details: { reason: 'quota_exceeded' } } });

    expect((await client.request('DELETE', `/files/${fileId}`)).status).toBe(204);
    expect((await client.get(`/files/${fileId}`)).status).toBe(404);
    expect((await client.request('DELETE', `/files/${fileId}`)).status).toBe(404);
    expect(await objectExists(key)).toBe(false);
    expect((await client.post('/uploads', { fileName: 'big.bin', size: QUOTA - 1 * MiB })).status).toBe(201);
  }, 60_000);

  it('cancels an upload: its chunks are refused afterwards and its multipart upload is aborted', async () => {
    const { client, userId } = await signUp(stack.gatewayApi);
    const file = randomBytes(3 * MiB);
    const plan = await openUpload(client, file);
    await sendChunks(plan, file, [0], 1);
    expect(await openMultipartUploads(userId)).toBe(1);
    expect((await client.request('DELETE', `/uploads/${plan.uploadId}`)).status).toBe(204);
    expect(((await client.get(`/uploads/${plan.uploadId}`)).body as { upload: { status: string } }).upload.status).toBe(
      'cancelled',
    );
    expect((await client.get('/uploads')).body).toEqual({ uploads: [], nextCursor: null });
    const late = await putChunk(plan, 1, chunkOf(file, plan, 1));
    expect(late.status).toBe(409);
    expect(await openMultipartUploads(userId)).toBe(0);
    // Cancelling again (a retry whose first answer was lost) is the same success and changes nothing;
    // a completed upload cannot be cancelled.
    expect((await client.request('DELETE', `/uploads/${plan.uploadId}`)).status).toBe(204);
    expect(((await client.get(`/uploads/${plan.uploadId}`)).body as { upload: { status: string } }).upload.status).toBe(
      'cancelled',
    );
    const small = randomBytes(1000);
    const done = await openUpload(client, small);
    await sendChunks(done, small, [0], 1);
    await waitForUpload(client, done.uploadId, 'completed');
    const refused = await client.request('DELETE', `/uploads/${done.uploadId}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'failed_precondition' } });
  }, 60_000);

  it("answers 404 for another user's upload and file on every route, and changes nothing", async () => {
    const owner = await signUp(stack.gatewayApi);
    const file = randomBytes(1000);
    const fileId = await uploadFile(owner.client, file, 'mine.txt');
    const open = await openUpload(owner.client, randomBytes(2 * MiB));
    const intruder = await signUp(stack.gatewayApi);
    const theirs = await openUpload(intruder.client, randomBytes(2 * MiB));
    const c = intruder.client;
    const attempts = [
      await c.get(`/uploads/${open.uploadId}`),
      await c.request('DELETE', `/uploads/${open.uploadId}`),
      await c.get(`/files/${fileId}`),
      await c.request('PATCH', `/files/${fileId}`, { json: { name: 'pwned.txt' } }),
      await c.get(`/files/${fileId}/download`),
      await c.request('DELETE', `/files/${fileId}`),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(404);
      expect(res.text).not.toContain(owner.userId);
    }
    // The intruder's own upload token does not open the owner's upload.
    const chunk = randomBytes(MiB);
    expect((await putChunk({ uploadUrl: open.uploadUrl, uploadToken: theirs.uploadToken }, 0, chunk)).status).toBe(404);
    expect((await c.get('/files')).body).toEqual({ files: [], nextCursor: null });

    const mine = (await owner.client.get(`/files/${fileId}`)).body as { file: { name: string } };
    expect(mine.file.name).toBe('mine.txt');
    const stillOpen = (await owner.client.get(`/uploads/${open.uploadId}`)).body as {
      upload: { status: string; receivedChunks: number };
    };
    expect(stillOpen.upload).toMatchObject({ status: 'uploading', receivedChunks: 0 });
  }, 60_000);

  it('deleting the account deletes its files and aborts its open uploads', async () => {
    const { client, creds, userId } = await signUp(stack.gatewayApi);
    const fileId = await uploadFile(client, randomBytes(1500), 'a.txt');
    const plan = await openUpload(client, randomBytes(2 * MiB));
    await sendChunks(plan, randomBytes(2 * MiB), [0], 1);
    expect(await openMultipartUploads(userId)).toBe(1);

    expect((await client.request('DELETE', '/users/me', { json: { password: creds.password } })).status).toBe(204);
    expect(await objectExists(`files/${userId}/${fileId}`)).toBe(false);
    expect(await openMultipartUploads(userId)).toBe(0);
  }, 60_000);
});

describe('bad requests to the uploads API get a clear 4xx and change nothing', () => {
  it.each([
    ['size 0', { fileName: 'a', size: 0 }, 400],
    ['negative size', { fileName: 'a', size: -1 }, 400],
    ['fractional size', { fileName: 'a', size: 1.5 }, 400],
    ['size as a string', { fileName: 'a', size: '10' }, 400],
    ['size above the maximum', { fileName: 'a', size: QUOTA + 1 }, 413],
    ['empty name', { fileName: '', size: 10 }, 400],
    ['name of only unsafe characters', { fileName: '\u202e\r\n', size: 10 }, 400],
    ['10 KB name', { fileName: 'x'.repeat(10_000), size: 10 }, 400],
    ['malformed checksum', { fileName: 'a', size: 10, sha256: 'abc' }, 400],
    ['header injection in the content type', { fileName: 'a', size: 10, contentType: 'text/plain\r\nx: y' }, 400],
    ['unknown field', { fileName: 'a', size: 10, userId: 'someone-else' }, 400],
  ])('POST /uploads with %s → %i', async (_label, body, status) => {
    const { client } = await signUp(stack.gatewayApi);
    const res = await client.post('/uploads', body);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect((await client.get('/uploads')).body).toEqual({ uploads: [], nextCursor: null });
  });

  it('refuses malformed ids and paging parameters', async () => {
    const { client } = await signUp(stack.gatewayApi);
    for (const path of [
      '/uploads/not-a-uuid',
      '/files/..%2F..%2Fetc',
      '/files?limit=0',
      '/files?limit=1000',
      '/files?limit=ten',
      '/files?cursor=%7B%22fileId%22%3A1%7D',
      '/files?cursor=bm90LWpzb24',
      '/files?extra=1',
    ]) {
      const res = await client.get(path);
      expect(res.status, path).toBe(400);
    }
    expect((await client.get('/uploads/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await client.get('/files/00000000-0000-4000-8000-000000000000/download')).status).toBe(404);
  });

  it('needs a signed-in user and the CSRF header', async () => {
    const { client } = await signUp(stack.gatewayApi);
    expect((await client.request('POST', '/uploads', { json: { fileName: 'a', size: 10 }, csrf: false })).status).toBe(
      403,
    );
    const { TestClient } = await import('@lfusys/testkit');
    const anonymous = new TestClient(stack.gatewayApi);
    expect((await anonymous.get('/files')).status).toBe(401);
    expect((await anonymous.post('/uploads', { fileName: 'a', size: 10 })).status).toBe(401);
    expect((await client.get('/uploads')).body).toEqual({ uploads: [], nextCursor: null });
  });
});
