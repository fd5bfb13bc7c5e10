import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  createDocumentClient,
  createTokenVerifier,
  loadConfig,
  loginSessionKey,
  resourceNames,
  UPLOAD_TOKEN_TYPE,
  UPLOADS_AUDIENCE,
} from '@lfusys/commons';
import type {} from '@lfusys/commons/vitest-global-setup';
import { UploadStatus } from '@lfusys/proto/sessions';
import { createSessionsClient, type SessionsClient } from '@lfusys/proto/sessions-client';
import { type Stack, startStack } from '@lfusys/testkit';
import type { FastifyInstance } from 'fastify';
import { createLocalJWKSet, exportJWK, generateKeyPair, type KeyObject, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUploadsDeps } from '../src/compose.ts';
import { uploadsConfigSchema } from '../src/config.ts';
import { buildUploadsApp } from '../src/http/app.ts';

// A real sessions process (reached over gRPC) behind this in-process worker.
let stack: Stack;
let sessions: { client: SessionsClient };
let app: FastifyInstance;
let base: string;
let privateKey: KeyObject;
let closeDeps: () => void;

beforeAll(async () => {
  stack = await startStack({
    endpoint: inject('awsEndpoint'),
    env: { sessions: { CHUNK_SIZE_BYTES: '1024', CHUNK_ALIGN_BYTES: '1024', LOG_LEVEL: 'warn' } },
  });
  sessions = {
    client: createSessionsClient({
      address: stack.sessionsAddress,
      sign: await stack.callerKeys.signer('gateway'),
      tlsCaPem: stack.sessionsTlsCaPem,
      deadlineMs: 30_000,
    }),
  };
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  privateKey = pair.privateKey as KeyObject;
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'EdDSA' }] };
  const config = loadConfig(uploadsConfigSchema, {
    AWS_ENDPOINT_URL: stack.endpoint,
    RESOURCE_PREFIX: stack.prefix,
    SESSIONS_ADDRESS: stack.sessionsAddress,
    SESSIONS_CALLER_KEY: JSON.stringify(stack.callerKeys.uploads),
    SESSIONS_TLS_CA_PEM: stack.sessionsTlsCaPem,
    LOG_LEVEL: 'silent',
    SESSION_CACHE_MS: '0',
    SESSION_LIVENESS_CACHE_MS: '0',
  });
  const deps = await createUploadsDeps(config, {
    verifyToken: createTokenVerifier(createLocalJWKSet(jwks), {
      issuer: 'lfusys',
      audience: UPLOADS_AUDIENCE,
      type: UPLOAD_TOKEN_TYPE,
    }),
  });
  closeDeps = deps.close;
  app = await buildUploadsApp(deps);
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
  closeDeps();
  sessions.client.close();
  await stack.stop();
});

async function waitForStatus(uploadId: string, userId: string, status: UploadStatus, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const upload = await sessions.client.getUpload({ uploadId, userId });
    if (upload.status === status) return upload;
    if (Date.now() > deadline) throw new Error(`upload ${uploadId} stayed in status ${upload.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A login session of the user, written where the gateway keeps it (the refresh-token table). */
const loginSessions = new Map<string, Promise<string>>();
function loginSessionOf(userId: string): Promise<string> {
  let session = loginSessions.get(userId);
  if (!session) {
    const sessionId = randomUUID();
    session = refreshTable()
      .db.send(
        new PutCommand({
          TableName: refreshTable().table,
          Item: {
            ...loginSessionKey(sessionId),
            userId,
            revoked: false,
            expiresAt: Math.floor(Date.now() / 1000) + 3600,
          },
        }),
      )
      .then(() => sessionId);
    loginSessions.set(userId, session);
  }
  return session;
}

function refreshTable() {
  return {
    db: createDocumentClient({ region: 'us-east-1', endpoint: stack.endpoint }),
    table: resourceNames(stack.prefix).refreshTokensTable,
  };
}

async function token(userId: string, uploadId: string, expiresIn = 600, sid?: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ upl: uploadId, sid: sid ?? (await loginSessionOf(userId)) })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: UPLOAD_TOKEN_TYPE })
    .setIssuer('lfusys')
    .setAudience(UPLOADS_AUDIENCE)
    .setSubject(userId)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + expiresIn)
    .sign(privateKey);
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('base64');

async function putChunk(
  uploadId: string,
  index: string | number,
  body: Buffer,
  opts: { token: string; sha?: string | null; headers?: Record<string, string> },
) {
  const headers: Record<string, string> = {
    authorization: `Bearer ${opts.token}`,
    'content-type': 'application/octet-stream',
    ...(opts.sha === null ? {} : { 'x-chunk-sha256': opts.sha ?? sha(body) }),
    ...opts.headers,
  };
  const res = await fetch(`${base}/uploads/${uploadId}/chunks/${index}`, { method: 'PUT', headers, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function open(userId: string, size: number) {
  return sessions.client.createUpload({
    userId,
    fileName: 'data.bin',
    size,
    contentType: '',
    sha256: '',
    idempotencyKey: '',
  });
}

describe('PUT /uploads/:id/chunks/:index', () => {
  it('takes shuffled, parallel and repeated chunks and the file completes intact', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(24 * 1024 + 17);
    const upload = await open(userId, bytes.length);
    const t = await token(userId, upload.uploadId);
    const chunks = Array.from({ length: upload.totalChunks }, (_, i) =>
      bytes.subarray(i * upload.chunkSize, (i + 1) * upload.chunkSize),
    );
    const queue = [...chunks.keys()].sort(() => Math.random() - 0.5);
    queue.splice(4, 0, queue[0] as number, queue[1] as number);
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          statuses.push((await putChunk(upload.uploadId, i, chunks[i] as Buffer, { token: t })).status);
        }
      }),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    const done = await waitForStatus(upload.uploadId, userId, UploadStatus.UPLOAD_STATUS_COMPLETED);
    const { url } = await sessions.client.getDownloadUrl({ fileId: done.fileId, userId });
    expect(sha(Buffer.from(await (await fetch(url)).arrayBuffer()))).toBe(sha(bytes));
    const { files } = await sessions.client.listFiles({ userId, limit: 10, cursor: '' });
    expect(files).toHaveLength(1);
    // A chunk for a completed upload is a conflict.
    expect((await putChunk(upload.uploadId, 0, chunks[0] as Buffer, { token: t })).status).toBe(409);
  });

  it('refuses the token of an ended login session, or of none, and records nothing', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(3 * 1024);
    const upload = await open(userId, bytes.length);
    const chunk = (i: number) => bytes.subarray(i * 1024, (i + 1) * 1024);
    const t = await token(userId, upload.uploadId);
    expect((await putChunk(upload.uploadId, 0, chunk(0), { token: t })).status).toBe(200);
    // A session id nobody issued (or deleted with its account) and a session of another user.
    const unknown = await putChunk(upload.uploadId, 1, chunk(1), {
      token: await token(userId, upload.uploadId, 600, randomUUID()),
    });
    expect(unknown).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    const foreignSession = await loginSessionOf(randomUUID());
    const foreign = await putChunk(upload.uploadId, 1, chunk(1), {
      token: await token(userId, upload.uploadId, 600, foreignSession),
    });
    expect(foreign.status).toBe(401);
    // The user logs out: the gateway marks the family revoked.
    const { db, table } = refreshTable();
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: loginSessionKey(await loginSessionOf(userId)),
        UpdateExpression: 'SET revoked = :t',
        ExpressionAttributeValues: { ':t': true },
      }),
    );
    const revoked = await putChunk(upload.uploadId, 1, chunk(1), { token: t });
    expect(revoked).toMatchObject({ status: 401, body: { error: { code: 'unauthenticated' } } });
    const listed = await fetch(`${base}/uploads/${upload.uploadId}/chunks`, {
      headers: { authorization: `Bearer ${t}` },
    });
    expect(listed.status).toBe(401);
    const { parts } = await sessions.client.listParts({ uploadId: upload.uploadId, userId });
    expect(parts.map((p) => p.index)).toEqual([0]);
  });

  it('rejects bad chunks with a clear 4xx and records nothing', async () => {
    const userId = randomUUID();
    const upload = await open(userId, 3000);
    const t = await token(userId, upload.uploadId);
    const good = randomBytes(1024);
    const cases: Array<[string, () => ReturnType<typeof putChunk>, number]> = [
      ['wrong checksum', () => putChunk(upload.uploadId, 0, good, { token: t, sha: sha(randomBytes(4)) }), 400],
      ['missing checksum', () => putChunk(upload.uploadId, 0, good, { token: t, sha: null }), 400],
      ['longer body', () => putChunk(upload.uploadId, 0, randomBytes(1500), { token: t }), 413],
      ['shorter body', () => putChunk(upload.uploadId, 0, randomBytes(100), { token: t }), 400],
      ['negative index', () => putChunk(upload.uploadId, '-1', good, { token: t }), 400],
      ['fractional index', () => putChunk(upload.uploadId, '1.5', good, { token: t }), 400],
      ['leading zero', () => putChunk(upload.uploadId, '01', good, { token: t }), 400],
      ['index past the end', () => putChunk(upload.uploadId, 3, good, { token: t }), 400],
      ['no token', () => putChunk(upload.uploadId, 0, good, { token: '' }), 401],
      ['garbage token', () => putChunk(upload.uploadId, 0, good, { token: 'a.b.c' }), 401],
      [
        'wrong content type',
        () => putChunk(upload.uploadId, 0, good, { token: t, headers: { 'content-type': 'text/plain' } }),
        415,
      ],
    ];
    for (const [label, run, status] of cases) {
      const res = await run();
      expect(res.status, label).toBe(status);
      expect(res.body, label).toMatchObject({ error: { code: expect.any(String), requestId: expect.any(String) } });
    }
    const expired = await token(userId, upload.uploadId, -120);
    expect((await putChunk(upload.uploadId, 0, good, { token: expired })).status).toBe(401);
    // Someone else's token, or a token for another upload, cannot touch this upload: 404.
    const stranger = await token(randomUUID(), upload.uploadId);
    expect((await putChunk(upload.uploadId, 0, good, { token: stranger })).status).toBe(404);
    const other = await open(userId, 1024);
    expect((await putChunk(upload.uploadId, 0, good, { token: await token(userId, other.uploadId) })).status).toBe(404);

    expect((await sessions.client.getUpload({ uploadId: upload.uploadId, userId })).receivedChunks).toBe(0);
    // The correct chunk still goes through, once; re-sending it is idempotent; other bytes conflict.
    expect((await putChunk(upload.uploadId, 0, good, { token: t })).body).toMatchObject({
      index: 0,
      received: 1,
      complete: false,
    });
    expect((await putChunk(upload.uploadId, 0, good, { token: t })).body).toMatchObject({ received: 1 });
    expect((await putChunk(upload.uploadId, 0, randomBytes(1024), { token: t })).status).toBe(409);
    const listed = await fetch(`${base}/uploads/${upload.uploadId}/chunks`, {
      headers: { authorization: `Bearer ${t}` },
    });
    expect(await listed.json()).toEqual({ received: [0], totalChunks: 3 });
  });

  it('never overwrites a recorded chunk: other bytes are refused and the file completes with the first bytes', async () => {
    const userId = randomUUID();
    const bytes = randomBytes(2048);
    const upload = await open(userId, bytes.length);
    const t = await token(userId, upload.uploadId);
    const first = bytes.subarray(0, 1024);
    expect((await putChunk(upload.uploadId, 0, first, { token: t })).status).toBe(200);

    const impostor = randomBytes(1024);
    const conflict = await putChunk(upload.uploadId, 0, impostor, { token: t });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: { code: 'aborted' } });
    // Claiming the recorded checksum with other bytes is caught while streaming.
    expect((await putChunk(upload.uploadId, 0, impostor, { token: t, sha: sha(first) })).status).toBe(400);
    // A true retry is verified and acknowledged (without a second write to S3).
    expect((await putChunk(upload.uploadId, 0, first, { token: t })).body).toMatchObject({ index: 0, received: 1 });

    expect((await putChunk(upload.uploadId, 1, bytes.subarray(1024), { token: t })).body).toMatchObject({
      complete: true,
    });
    const done = await waitForStatus(upload.uploadId, userId, UploadStatus.UPLOAD_STATUS_COMPLETED);
    const { url } = await sessions.client.getDownloadUrl({ fileId: done.fileId, userId });
    expect(sha(Buffer.from(await (await fetch(url)).arrayBuffer()))).toBe(sha(bytes));
  });
});
