import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type Stack, signUp, startStack } from '@lfusys/testkit';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { sha256, type UploadPlan } from './chunks.ts';

const MiB = 1024 * 1024;
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    endpoint: inject('awsEndpoint'),
    gateway: true,
    uploads: true,
    uploadsWorkers: 2,
    env: { sessions: { CHUNK_SIZE_BYTES: String(MiB) } },
  });
}, 120_000);
afterAll(() => stack?.stop());

it('drains a chunk in flight on SIGTERM: the half-sent chunk is accepted, then the workers exit 0', async () => {
  const { client } = await signUp(stack.gatewayApi);
  const file = randomBytes(2 * MiB);
  const plan = (await client.post('/uploads', { fileName: 'drain.bin', size: file.length })).body as UploadPlan;
  const body = file.subarray(0, MiB);
  const url = new URL(`${plan.uploadUrl}/chunks/0`);

  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
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
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    // Half the body now, SIGTERM, then the rest a moment later.
    req.write(body.subarray(0, body.length / 2), () => {
      setTimeout(() => {
        void stack.processes.uploads?.stop('SIGTERM');
        setTimeout(() => req.end(body.subarray(body.length / 2)), 500);
      }, 200);
    });
  });

  const res = await answer;
  expect(res.status, res.text).toBe(200);
  expect(JSON.parse(res.text)).toMatchObject({ index: 0, received: 1 });
  expect(await stack.processes.uploads?.exited).toBe(0);
  const view = (await client.get(`/uploads/${plan.uploadId}`)).body as { receivedIndexes: number[] };
  expect(view.receivedIndexes).toEqual([0]);
}, 60_000);
