import { createHash, randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { createS3Client, resourceNames } from '@lfusys/commons';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type Stack, signUp, type TestClient } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkOf, sendChunks, sha256, shuffled, type UploadPlan, type UploadView, waitForUpload } from './chunks.ts';
import { startOneWorkerStack } from './fixtures.ts';

const MiB = 1024 * 1024;
let stack: Stack;
let s3: ReturnType<typeof createS3Client>;
let bucket: string;

beforeAll(async () => {
  stack = await startOneWorkerStack();
  s3 = createS3Client({ region: 'us-east-1', endpoint: stack.endpoint });
  bucket = resourceNames(stack.prefix).bucket;
}, 120_000);
afterAll(() => stack?.stop());

interface DirectPlan {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  transfer: string;
  uploadUrl?: string;
  uploadToken?: string;
}
interface PartUrl {
  index: number;
  url: string;
  method: string;
  headers: Record<string, string>;
  expiresAt: string;
}

async function openDirect(client: TestClient, size: number): Promise<DirectPlan> {
  const res = await client.post('/uploads', { fileName: 'direct.bin', size, transfer: 'direct' });
  if (res.status !== 201) throw new Error(`open upload: ${res.status} ${res.text}`);
  return res.body as DirectPlan;
}

const partsOf = (file: Buffer, plan: DirectPlan, indexes: number[]) =>
  indexes.map((index) => {
    const bytes = chunkOf(file, plan, index);
    return { index, sha256: sha256(bytes), length: bytes.length };
  });

async function sign(client: TestClient, plan: DirectPlan, file: Buffer, indexes: number[]): Promise<PartUrl[]> {
  const res = await client.post(`/uploads/${plan.uploadId}/parts`, { parts: partsOf(file, plan, indexes) });
  if (res.status !== 200) throw new Error(`sign: ${res.status} ${res.text}`);
  return (res.body as { parts: PartUrl[] }).parts;
}

/** What a browser does with a part URL: PUT the bytes with exactly the returned headers. */
async function putPart(part: PartUrl, file: Buffer, plan: DirectPlan): Promise<number> {
  const res = await fetch(part.url, {
    method: part.method,
    headers: part.headers,
    body: chunkOf(file, plan, part.index),
  });
  await res.arrayBuffer();
  return res.status;
}

const confirm = (client: TestClient, uploadId: string, indexes: number[]) =>
  client.post(`/uploads/${uploadId}/parts/confirm`, { indexes });

describe('direct transfer through the gateway', () => {
  it('assembles shuffled parts PUT straight to storage, with duplicated PUTs and confirmations', async () => {
    const { client } = await signUp(stack.gatewayApi);
    const file = randomBytes(8 * MiB + 1234);
    const plan = await openDirect(client, file.length);
    expect(plan).toMatchObject({ transfer: 'direct', chunkSize: MiB, totalChunks: 9 });
    expect(plan.uploadUrl).toBeUndefined();
    expect(plan.uploadToken).toBeUndefined();
    const hex = createHash('sha256').update(file).digest('hex');
    const declared = await client.request('PATCH', `/uploads/${plan.uploadId}`, { json: { sha256: hex } });
    expect(declared.status).toBe(200);
    const order = shuffled([...Array(plan.totalChunks).keys()]);
    const urls = [
      ...(await sign(client, plan, file, order.slice(0, 5))),
      ...(await sign(client, plan, file, order.slice(5))),
    ];
    for (const url of urls) {
      expect(new URL(url.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('x-amz-checksum-sha256');
      expect(Number(new URL(url.url).searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(900);
    }
    // Two parts are PUT twice (a retry after a lost answer), over 4 parallel lanes.
    const queue = [...urls, urls[0] as PartUrl, urls[3] as PartUrl];
    const statuses: Array<[number, number]> = [];
    const lane = async () => {
      for (let part = queue.shift(); part; part = queue.shift())
        statuses.push([part.index, await putPart(part, file, plan)]);
    };
    await Promise.all([lane(), lane(), lane(), lane()]);
    expect(statuses.filter(([, status]) => status !== 200)).toEqual([]);
    expect(statuses).toHaveLength(11);

    const first = await confirm(client, plan.uploadId, order.slice(0, 4));
    expect(first.body).toEqual({ received: 4, totalChunks: 9, complete: false });
    expect((await confirm(client, plan.uploadId, order.slice(0, 4))).body).toEqual(first.body);
    const last = await confirm(client, plan.uploadId, order);
    expect(last).toMatchObject({ status: 200, body: { received: 9, totalChunks: 9, complete: true } });

    const done = await waitForUpload(client, plan.uploadId, 'completed');
    const download = await client.get(`/files/${done.upload.fileId}/download`);
    const bytes = Buffer.from(await (await fetch((download.body as { url: string }).url)).arrayBuffer());
    expect(sha256(bytes)).toBe(sha256(file));
    expect((await client.get(`/uploads/${plan.uploadId}`)).body).toMatchObject({ upload: { transfer: 'direct' } });
  });

  it('refuses bad part requests with 400, an unsent part with 409, and records nothing', async () => {
    const { client } = await signUp(stack.gatewayApi);
    const file = randomBytes(2 * MiB + 10);
    const plan = await openDirect(client, file.length);
    const [part0] = partsOf(file, plan, [0]);
    const signParts = (parts: unknown[]) => client.post(`/uploads/${plan.uploadId}/parts`, { parts });
    expect((await signParts([{ ...part0, length: MiB - 1 }])).status).toBe(400);
    expect((await signParts([{ index: 2, sha256: part0?.sha256, length: MiB }])).body).toMatchObject({
      error: { code: 'invalid_argument', details: { field: 'length', index: 2, expected: 10 } },
    });
    expect((await signParts([{ ...part0, sha256: 'ab'.repeat(32) }])).status).toBe(400);
    expect((await signParts([{ ...part0, index: 3 }])).status).toBe(400);
    expect((await signParts([{ ...part0, index: 10_000 }])).status).toBe(400);
    expect((await signParts([])).status).toBe(400);

    const [url0] = await sign(client, plan, file, [0, 1]);
    expect(await putPart(url0 as PartUrl, file, plan)).toBe(200);
    const unsent = await confirm(client, plan.uploadId, [0, 1]);
    expect(unsent).toMatchObject({ status: 409, body: { error: { code: 'aborted', details: { index: 1 } } } });
    const view = (await client.get(`/uploads/${plan.uploadId}`)).body as UploadView;
    expect(view).toMatchObject({ upload: { receivedChunks: 0 }, receivedIndexes: [] });
    expect((await confirm(client, plan.uploadId, [3])).status).toBe(400);
  });

  it("answers 404 for another user's upload on sign, confirm and declare", async () => {
    const { client: owner } = await signUp(stack.gatewayApi);
    const { client: other } = await signUp(stack.gatewayApi);
    const file = randomBytes(MiB);
    const plan = await openDirect(owner, file.length);
    const [url] = await sign(owner, plan, file, [0]);
    expect(await putPart(url as PartUrl, file, plan)).toBe(200);
    expect((await other.post(`/uploads/${plan.uploadId}/parts`, { parts: partsOf(file, plan, [0]) })).status).toBe(404);
    expect((await confirm(other, plan.uploadId, [0])).status).toBe(404);
    const patch = await other.request('PATCH', `/uploads/${plan.uploadId}`, { json: { sha256: 'ab'.repeat(32) } });
    expect(patch.status).toBe(404);
    expect(((await owner.get(`/uploads/${plan.uploadId}`)).body as UploadView).upload.receivedChunks).toBe(0);
  });

  it('signs an index again with a fresh URL that works', async () => {
    const { client } = await signUp(stack.gatewayApi);
    const file = randomBytes(MiB + 5);
    const plan = await openDirect(client, file.length);
    const [first] = await sign(client, plan, file, [0]);
    // SigV4 URLs carry the signing time to the second: a later signature is a different URL.
    await new Promise((r) => setTimeout(r, 1100));
    const [again] = await sign(client, plan, file, [0]);
    expect(again?.url).not.toBe(first?.url);
    expect(Date.parse(again?.expiresAt ?? '')).toBeGreaterThan(Date.parse(first?.expiresAt ?? ''));
    expect(await putPart(again as PartUrl, file, plan)).toBe(200);
    expect((await confirm(client, plan.uploadId, [0])).body).toMatchObject({ received: 1 });
  });

  it('cancels a direct upload: the multipart upload is aborted and no more parts are signed', async () => {
    const { client, userId } = await signUp(stack.gatewayApi);
    const file = randomBytes(2 * MiB);
    const plan = await openDirect(client, file.length);
    const [url] = await sign(client, plan, file, [0]);
    expect(await putPart(url as PartUrl, file, plan)).toBe(200);
    expect((await client.request('DELETE', `/uploads/${plan.uploadId}`)).status).toBe(204);
    const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: `files/${userId}/` }));
    expect(open.Uploads ?? []).toHaveLength(0);
    const refused = await client.post(`/uploads/${plan.uploadId}/parts`, { parts: partsOf(file, plan, [1]) });
    expect(refused).toMatchObject({ status: 409, body: { error: { code: 'failed_precondition' } } });
  });

  it('still relays an upload opened without a transfer, beside direct ones', async () => {
    const { client } = await signUp(stack.gatewayApi);
    const file = randomBytes(3 * MiB + 7);
    const res = await client.post('/uploads', { fileName: 'relay.bin', size: file.length });
    expect(res.body).toMatchObject({
      transfer: 'relay',
      uploadUrl: expect.any(String),
      uploadToken: expect.any(String),
    });
    const plan = res.body as UploadPlan;
    expect((await confirm(client, plan.uploadId, [0])).body).toMatchObject({ error: { code: 'failed_precondition' } });
    await sendChunks(plan, file, shuffled([0, 1, 2, 3]), 2);
    const done = await waitForUpload(client, plan.uploadId, 'completed');
    expect(done.upload).toMatchObject({ transfer: 'relay' });
  });

  it('holds GET /uploads/:id?wait= until the status moves, for its owner only, and refuses a bad wait', async () => {
    const { client } = await signUp(stack.gatewayApi);
    const { client: other } = await signUp(stack.gatewayApi);
    const file = randomBytes(MiB);
    const plan = await openDirect(client, file.length);
    const [url] = await sign(client, plan, file, [0]);
    expect(await putPart(url as PartUrl, file, plan)).toBe(200);
    for (const wait of ['21', '-1', 'abc', '1.5']) {
      expect((await client.get(`/uploads/${plan.uploadId}?wait=${wait}`)).status).toBe(400);
    }
    expect((await other.get(`/uploads/${plan.uploadId}?wait=20`)).status).toBe(404);
    // Asked while uploading: held (a plain GET would say `uploading` at once) until the last
    // part's confirmation sets assembly going.
    const held = client.get(`/uploads/${plan.uploadId}?wait=20`);
    await new Promise((r) => setTimeout(r, 500));
    expect((await confirm(client, plan.uploadId, [0])).body).toMatchObject({ complete: true });
    const moved = await held;
    expect(moved.status).toBe(200);
    expect(['assembling', 'completed']).toContain((moved.body as UploadView).upload.status);
    const done = await client.get(`/uploads/${plan.uploadId}?wait=20`);
    const final =
      (done.body as UploadView).upload.status === 'completed'
        ? done
        : await client.get(`/uploads/${plan.uploadId}?wait=20`);
    expect((final.body as UploadView).upload.status).toBe('completed');
    // A finished upload is answered at once, whatever the wait.
    const started = Date.now();
    expect(((await client.get(`/uploads/${plan.uploadId}?wait=20`)).body as UploadView).upload.status).toBe(
      'completed',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
