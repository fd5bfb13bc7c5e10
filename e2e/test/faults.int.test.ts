import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type FaultProxy, type Stack, signUp, startFaultProxy, startStack } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chunkOf, putChunk, sendChunks, sha256, sha256Hex, type UploadPlan, waitForUpload } from './chunks.ts';

/** Faults around the uploads workers: SQS down at the last chunk, a worker killed mid-chunk. */
const MiB = 1024 * 1024;
let proxy: FaultProxy;
let stack: Stack;

beforeAll(async () => {
  const endpoint = inject('awsEndpoint');
  proxy = await startFaultProxy(endpoint);
  stack = await startStack({
    endpoint,
    gateway: true,
    uploads: true,
    uploadsWorkers: 2,
    env: { sessions: { CHUNK_SIZE_BYTES: String(MiB) }, uploads: { AWS_ENDPOINT_URL: proxy.url } },
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await proxy?.close();
});

async function open(file: Buffer): Promise<{ client: Awaited<ReturnType<typeof signUp>>['client']; plan: UploadPlan }> {
  const { client } = await signUp(stack.gatewayApi);
  const res = await client.post('/uploads', { fileName: 'fault.bin', size: file.length, sha256: sha256Hex(file) });
  expect(res.status).toBe(201);
  return { client, plan: res.body as UploadPlan };
}

async function downloaded(client: Awaited<ReturnType<typeof signUp>>['client'], fileId: string): Promise<string> {
  const { url } = (await client.get(`/files/${fileId}/download`)).body as { url: string };
  return sha256(Buffer.from(await (await fetch(url)).arrayBuffer()));
}

describe('faults around the uploads workers', () => {
  it('SQS down when the last chunk lands: the chunk still succeeds and the completion is not lost', async () => {
    const file = randomBytes(3 * MiB + 5);
    const { client, plan } = await open(file);
    await sendChunks(plan, file, [0, 1, 2], 3);
    proxy.setRule((req) => (req.headers['x-amz-target'] === 'AmazonSQS.SendMessage' ? 'fail' : 'forward'));
    const failedSend = proxy.nextHeld();
    const last = await putChunk(plan, 3, chunkOf(file, plan, 3));
    expect(last.status).toBe(200);
    expect(await last.json()).toMatchObject({ complete: true });
    await failedSend;
    proxy.setRule(() => 'forward');
    // The worker's message was lost, so the upload waits complete but unassembled, until a status
    // read (the web app polls one after its last chunk) re-enqueues it through sessions.
    const waiting = (await client.get(`/uploads/${plan.uploadId}`)).body as { upload: { status: string } };
    expect(waiting.upload.status).toBe('uploading');
    const done = await waitForUpload(client, plan.uploadId, 'completed', 60_000);
    expect(await downloaded(client, done.upload.fileId ?? '')).toBe(sha256(file));
    expect(stack.processes.uploads?.output()).toContain('could not enqueue assembly');
  }, 90_000);

  it('a worker killed mid-chunk: the client retry succeeds and the chunk counts once', async () => {
    const file = randomBytes(2 * MiB);
    const { client, plan } = await open(file);
    const body = chunkOf(file, plan, 0);
    const url = new URL(`${plan.uploadUrl}/chunks/0`);
    const primary = stack.processes.uploads?.pid ?? 0;

    const cut = await new Promise<string>((resolve) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'PUT',
          headers: {
            authorization: `Bearer ${plan.uploadToken}`,
            'content-type': 'application/octet-stream',
            'content-length': String(body.length),
            'x-chunk-sha256': sha256(body),
          },
        },
        (res) => resolve(`answered ${res.statusCode}`),
      );
      req.on('error', (err) => resolve(`cut: ${err.message}`));
      // Half the body, then SIGKILL every worker (the primary forks new ones).
      req.write(body.subarray(0, body.length / 2), () => {
        execFileSync('pkill', ['-KILL', '-P', String(primary)]);
        setTimeout(() => req.end(body.subarray(body.length / 2)), 300);
      });
    });
    expect(cut).toMatch(/^cut: /);
    // Nothing was recorded for the half-sent chunk.
    const before = (await client.get(`/uploads/${plan.uploadId}`)).body as { receivedIndexes: number[] };
    expect(before.receivedIndexes).toEqual([]);

    // The retry reaches a fresh worker once the primary has replaced them.
    let retry: Response | undefined;
    for (let attempt = 0; attempt < 50 && retry?.status !== 200; attempt++) {
      retry = await putChunk(plan, 0, body).catch(() => undefined);
      if (retry?.status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(retry?.status).toBe(200);
    expect(await retry?.json()).toMatchObject({ index: 0, received: 1 });
    expect((await putChunk(plan, 1, chunkOf(file, plan, 1))).status).toBe(200);
    const done = await waitForUpload(client, plan.uploadId, 'completed', 60_000);
    expect(await downloaded(client, done.upload.fileId ?? '')).toBe(sha256(file));
  }, 90_000);
});
