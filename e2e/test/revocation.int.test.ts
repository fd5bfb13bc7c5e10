import { randomBytes } from 'node:crypto';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { createS3Client, resourceNames } from '@lfusys/commons';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type Stack, signUp, TestClient } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkOf, putChunk, sha256Hex, type UploadPlan } from './chunks.ts';
import { startOneWorkerStack } from './fixtures.ts';

/**
 * DESIGN.md §9.3: a token of an ended login session (logout, password change, account deletion,
 * a session ended from the devices list) is refused by the gateway and the workers within 5 s —
 * also a token someone copied before the session ended. The workers are another process than the gateway that ended the session, so
 * they show the cross-instance bound (their liveness cache); the gateway that ended it refuses at once.
 */
const MiB = 1024 * 1024;
const BOUND_MS = 5000;
let stack: Stack;

beforeAll(async () => {
  stack = await startOneWorkerStack();
}, 120_000);
afterAll(() => stack?.stop());

/** Another device of the same user: its own login, its own session. */
async function secondDevice(creds: { email: string; password: string }): Promise<TestClient> {
  const client = new TestClient(stack.gatewayApi);
  const res = await client.post('/auth/login', { email: creds.email, password: creds.password });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${res.text}`);
  return client;
}

/** What a thief (or a stale tab) keeps: the cookies as they were, whatever the owner does next. */
function copyOf(client: TestClient): TestClient {
  const copy = new TestClient(stack.gatewayApi);
  for (const [name, value] of client.cookies) copy.cookies.set(name, value);
  return copy;
}

async function open(client: TestClient, file: Buffer): Promise<UploadPlan> {
  const res = await client.post('/uploads', { fileName: 'f.bin', size: file.length, sha256: sha256Hex(file) });
  if (res.status !== 201) throw new Error(`open: ${res.status} ${res.text}`);
  return res.body as UploadPlan;
}

/** Milliseconds until `attempt` answers 401, polling; fails the test past the bound. */
async function refusedWithin(what: string, attempt: () => Promise<number>): Promise<number> {
  const started = Date.now();
  for (;;) {
    const status = await attempt();
    const elapsed = Date.now() - started;
    if (status === 401) return elapsed;
    if (elapsed > BOUND_MS) throw new Error(`${what} still answered ${status} after ${elapsed} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every way an ended session's holder might still try: list, open, read, and send a chunk. */
async function expectEverythingRefused(thief: TestClient, plan: UploadPlan, file: Buffer, index: number) {
  const chunkMs = await refusedWithin(
    'chunk PUT',
    async () => (await putChunk(plan, index, chunkOf(file, plan, index))).status,
  );
  expect(chunkMs).toBeLessThanOrEqual(BOUND_MS);
  for (const [what, call] of [
    ['GET /files', () => thief.get('/files')],
    ['GET /uploads', () => thief.get('/uploads')],
    ['GET /uploads/:id', () => thief.get(`/uploads/${plan.uploadId}`)],
    ['POST /uploads', () => thief.post('/uploads', { fileName: 'x.bin', size: 10 })],
  ] as const) {
    const res = await call();
    expect(res.status, what).toBe(401);
    expect(res.body, what).toMatchObject({ error: { code: 'unauthenticated' } });
  }
  const listing = await fetch(`${plan.uploadUrl}/chunks`, { headers: { authorization: `Bearer ${plan.uploadToken}` } });
  expect(listing.status).toBe(401);
  return chunkMs;
}

describe('an ended session ends everywhere', () => {
  it('logout: the session’s copied cookies and its upload token stop working; the other device carries on', async () => {
    const { client: laptop, creds } = await signUp(stack.gatewayApi);
    const phone = await secondDevice(creds);
    // Four chunks: a chunk the workers still take inside their cache window cannot complete the file.
    const file = randomBytes(4 * MiB);
    const plan = await open(laptop, file);
    expect((await putChunk(plan, 0, chunkOf(file, plan, 0))).status).toBe(200);
    const phonePlan = await open(phone, file);
    const thief = copyOf(laptop);

    expect((await laptop.post('/auth/logout')).status).toBe(204);
    await expectEverythingRefused(thief, plan, file, 1);
    // The refresh cookie of the ended session cannot start it again either.
    expect((await thief.post('/auth/refresh')).status).toBe(401);

    expect((await phone.get('/files')).status).toBe(200);
    expect((await putChunk(phonePlan, 0, chunkOf(file, phonePlan, 0))).status).toBe(200);
    // The laptop's upload still belongs to the user: the phone sees the chunk the laptop sent.
    const view = await phone.get(`/uploads/${plan.uploadId}`);
    expect((view.body as { receivedIndexes: number[] }).receivedIndexes).toContain(0);
  });

  it('password change: every other session is refused, the one that changed it keeps working', async () => {
    const { client: laptop, creds } = await signUp(stack.gatewayApi);
    const phone = await secondDevice(creds);
    const file = randomBytes(2 * MiB);
    const phonePlan = await open(phone, file);
    const laptopPlan = await open(laptop, file);
    const stolenPhone = copyOf(phone);

    const change = await laptop.post('/users/me/password', {
      currentPassword: creds.password,
      newPassword: `${creds.password}-new`,
    });
    expect(change.status).toBe(204);
    await expectEverythingRefused(stolenPhone, phonePlan, file, 0);

    expect((await laptop.get('/files')).status).toBe(200);
    expect((await putChunk(laptopPlan, 0, chunkOf(file, laptopPlan, 0))).status).toBe(200);
    // The phone's upload is the user's, not the session's: the laptop can renew its token and finish it.
    const renewed = (await laptop.get(`/uploads/${phonePlan.uploadId}`)).body as UploadPlan;
    const resumed = { ...phonePlan, uploadToken: renewed.uploadToken };
    expect((await putChunk(resumed, 0, chunkOf(file, phonePlan, 0))).status).toBe(200);
  });

  it('a session ended from the devices list: its copied cookies and upload token stop working', async () => {
    const { client: laptop, creds } = await signUp(stack.gatewayApi);
    const phone = await secondDevice(creds);
    const file = randomBytes(4 * MiB);
    const plan = await open(phone, file);
    expect((await putChunk(plan, 0, chunkOf(file, plan, 0))).status).toBe(200);
    const stolenPhone = copyOf(phone);

    const { sessions } = (await laptop.get('/auth/sessions')).body as {
      sessions: Array<{ id: string; current: boolean }>;
    };
    const phoneSession = sessions.find((s) => !s.current)?.id;
    expect((await laptop.request('DELETE', `/auth/sessions/${phoneSession}`)).status).toBe(204);
    await expectEverythingRefused(stolenPhone, plan, file, 1);
    expect((await stolenPhone.post('/auth/refresh')).status).toBe(401);
    expect((await laptop.get('/files')).status).toBe(200);
  });

  it('account deletion: no token of the account opens, sends or lists anything; its uploads are aborted', async () => {
    const { client: laptop, creds, userId } = await signUp(stack.gatewayApi);
    const phone = await secondDevice(creds);
    const file = randomBytes(2 * MiB);
    const plan = await open(phone, file);
    expect((await putChunk(plan, 0, chunkOf(file, plan, 0))).status).toBe(200);
    const stolenPhone = copyOf(phone);
    const stolenLaptop = copyOf(laptop);

    const res = await laptop.request('DELETE', '/users/me', { json: { password: creds.password } });
    expect(res.status).toBe(204);
    await expectEverythingRefused(stolenPhone, plan, file, 1);
    for (const path of ['/files', '/uploads', '/users/me', '/auth/me']) {
      expect((await stolenLaptop.get(path)).status, path).toBe(401);
    }
    // Nothing of the account is left in storage: its multipart uploads were aborted.
    const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.endpoint });
    const { Uploads = [] } = await s3.send(
      new ListMultipartUploadsCommand({ Bucket: resourceNames(stack.prefix).bucket, Prefix: `users/${userId}/` }),
    );
    expect(Uploads).toEqual([]);
  });
});
