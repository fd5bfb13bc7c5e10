import { randomBytes } from 'node:crypto';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type FaultProxy, type Stack, signUp, startFaultProxy, startStack } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chunkOf, putChunk, sha256, type UploadPlan, waitForUpload } from './chunks.ts';

/**
 * Issue 13: relay workers store chunks only through the part URLs sessions signs per chunk. Every
 * request to storage passes a recording proxy, so the test sees how each part PUT is authorised:
 * by a presigned query signature, never by credentials of the worker's own (an Authorization header).
 */
const MiB = 1024 * 1024;
let proxy: FaultProxy;
let stack: Stack;
const requests: Array<{ method: string; url: string; authorization: boolean }> = [];

beforeAll(async () => {
  const endpoint = inject('awsEndpoint');
  proxy = await startFaultProxy(endpoint);
  proxy.setRule((req) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: 'authorization' in req.headers });
    return 'forward';
  });
  stack = await startStack({
    endpoint,
    gateway: true,
    uploads: true,
    uploadsWorkers: 1,
    env: {
      sessions: { CHUNK_SIZE_BYTES: String(MiB), AWS_ENDPOINT_URL: proxy.url },
      uploads: { AWS_ENDPOINT_URL: proxy.url },
    },
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
});

const partPuts = () => requests.filter((r) => r.method === 'PUT' && r.url.includes('partNumber='));

describe('relay workers write through part URLs sessions signs', () => {
  it('stores every part on a presigned URL, never with credentials of its own, and never logs one', async () => {
    const file = randomBytes(2 * MiB + 5);
    const { client } = await signUp(stack.gatewayApi);
    const plan = (await client.post('/uploads', { fileName: 'relay.bin', size: file.length })).body as UploadPlan;
    for (const index of [2, 0, 0, 1])
      expect((await putChunk(plan, index, chunkOf(file, plan, index))).status).toBe(200);
    const done = await waitForUpload(client, plan.uploadId, 'completed');
    // A retry whose answer was lost arrives after the set is assembled: the same bytes meet the
    // part they are (200, nothing stored again), other bytes are refused (409).
    const storedParts = partPuts().length;
    const again = await putChunk(plan, 1, chunkOf(file, plan, 1));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ received: 3, totalChunks: 3, complete: true });
    const other = Buffer.from(chunkOf(file, plan, 1));
    other[0] = (other[0] ?? 0) ^ 1;
    expect((await putChunk(plan, 1, other)).status).toBe(409);
    expect(partPuts().length).toBe(storedParts);
    const { url } = (await client.get(`/files/${done.upload.fileId}/download`)).body as { url: string };
    expect(sha256(Buffer.from(await (await fetch(url)).arrayBuffer()))).toBe(sha256(file));
    // Three parts, one PUT each: the re-sent chunk 0 was verified against the recorded one, not stored.
    expect(partPuts().map((r) => new URL(r.url, 'http://storage').searchParams.get('partNumber'))).toEqual([
      '3',
      '1',
      '2',
    ]);
    for (const put of partPuts()) {
      expect(put.authorization).toBe(false);
      expect(new URL(put.url, 'http://storage').searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
        expect.arrayContaining(['content-length', 'x-amz-checksum-sha256']),
      );
    }
    const logs = `${stack.processes.uploads?.output()}${stack.processes.sessions.output()}`;
    expect(logs).not.toContain('X-Amz-Signature');
  });

  it('refuses bad chunks before or while storing them, with the same answers as before', async () => {
    const file = randomBytes(MiB + 5);
    const { client } = await signUp(stack.gatewayApi);
    const plan = (await client.post('/uploads', { fileName: 'bad.bin', size: file.length })).body as UploadPlan;
    const other = await signUp(stack.gatewayApi);
    const theirs = (await other.client.post('/uploads', { fileName: 'o.bin', size: 10 })).body as UploadPlan;
    const first = chunkOf(file, plan, 0);
    const flipped = Buffer.from(first);
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const before = partPuts().length;
    expect((await putChunk(plan, 0, first, { 'x-chunk-sha256': sha256(flipped) })).status).toBe(400);
    expect((await putChunk({ ...plan, uploadToken: theirs.uploadToken }, 0, first)).status).toBe(404);
    expect((await putChunk(plan, 2, Buffer.from('x'))).status).toBe(400);
    expect((await putChunk(plan, 1, Buffer.concat([chunkOf(file, plan, 1), Buffer.from('x')]))).status).toBe(413);
    expect((await putChunk(plan, 0, first)).status).toBe(200);
    expect((await putChunk(plan, 0, flipped)).status).toBe(409);
    // Only the wrong-hash body and the good one reached storage (the first aborted before its end).
    expect(partPuts().length - before).toBe(2);
    expect((await client.get(`/uploads/${plan.uploadId}`)).body).toMatchObject({ upload: { receivedChunks: 1 } });
  });
});
