import { randomBytes, randomUUID } from 'node:crypto';
import type {} from '@lfusys/commons/vitest-global-setup';
import type { Stack } from '@lfusys/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendChunks, sha256, sha256Hex, waitForUpload } from './chunks.ts';
import { reservedBytes, type SeededUser, seededUser, startOneWorkerStack } from './fixtures.ts';

/**
 * Property-based fuzzing of the gateway and uploads routes with fast-check: random but well-typed
 * requests and malformed ones, sent as user A. Invariants: never a 5xx, never B's data in an answer,
 * counters and quota never negative or over. `FUZZ_RUNS` sets the number of requests per property
 * (`make fuzz` runs many; `make test` a smoke run); `FUZZ_SEED` replays a failure.
 */
const MiB = 1024 * 1024;
const QUOTA = 64 * MiB;
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
let stack: Stack;

let a: SeededUser;
let b: SeededUser;

const bSecrets = () => [b.userId, b.email, b.fileId, b.open.uploadId, b.sessionId];

beforeAll(async () => {
  stack = await startOneWorkerStack({ USER_QUOTA_BYTES: String(QUOTA) });
  a = await seededUser(stack, 3 * MiB);
  b = await seededUser(stack, 3 * MiB);
}, 120_000);
afterAll(() => stack?.stop());

/** An id slot: A's own ids, B's ids (IDOR), fresh uuids, and garbage. */
const id = () =>
  fc.oneof(
    fc.constantFrom(a.fileId, a.open.uploadId, b.fileId, b.open.uploadId, b.sessionId),
    fc.uuid(),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.constantFrom('..%2F..', '%00', 'null', 'undefined', '0'),
  );

/** Mostly valid values (so requests get past validation and reach state), sometimes wild ones. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, wild: fc.Arbitrary<U>) =>
  fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: wild, weight: 1 });

const well = {
  name: mostly(
    fc.string({ minLength: 1, maxLength: 60 }),
    fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 80 })),
  ),
  size: mostly(
    fc.integer({ min: 1, max: 8 * MiB }),
    fc.oneof(fc.integer({ min: -5, max: 2 * QUOTA }), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER)),
  ),
};

/** A JSON body: well-typed for some route, or anything at all. */
const bodies = {
  upload: fc.record(
    {
      fileName: well.name,
      size: well.size,
      sha256: mostly(
        fc.uint8Array({ minLength: 1, maxLength: 8 }).map((bytes) => sha256Hex(bytes)),
        fc.string({ maxLength: 50 }),
      ),
      contentType: mostly(fc.constantFrom('application/octet-stream', 'image/png'), fc.string({ maxLength: 80 })),
    },
    { requiredKeys: ['fileName', 'size'] },
  ),
  profile: fc.record({ name: well.name, bio: fc.string({ maxLength: 600 }) }, { requiredKeys: [] }),
  rename: fc.record({ name: well.name }),
  password: fc.record({ currentPassword: fc.string(), newPassword: fc.string() }),
  deleteAccount: fc.record({ password: fc.string() }),
};
type Payload = { json?: unknown; rawBody?: string; headers?: Record<string, string> } | null;
const json = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<Payload> => arb.map((body) => ({ json: body }));

/** Any body at all: any JSON value, a broken JSON text, or text/plain. */
const anyPayload: fc.Arbitrary<Payload> = fc.option(
  fc.oneof(
    json(fc.oneof(...Object.values(bodies), fc.jsonValue())),
    fc.string({ maxLength: 200 }).map((rawBody) => ({ rawBody, headers: { 'content-type': 'application/json' } })),
    fc.string({ maxLength: 200 }).map((rawBody) => ({ rawBody, headers: { 'content-type': 'text/plain' } })),
  ),
);

/** The real routes with the body each expects (so requests reach state), and random method/path/body mixes. */
const gatewayRequest = () => {
  const route = (method: string, path: fc.Arbitrary<string>, payload: fc.Arbitrary<Payload> = fc.constant(null)) =>
    fc.record({ method: fc.constant(method), path, payload });
  const known = fc.oneof(
    route('GET', fc.constantFrom('/auth/me', '/users/me', '/uploads', '/files', '/auth/sessions')),
    // A's own session id is left out: ending it would sign the fuzzer out (that path has its own tests).
    route(
      'DELETE',
      id().map((x) => `/auth/sessions/${x}`),
    ),
    route('POST', fc.constant('/auth/sessions/end-others')),
    route('POST', fc.constant('/uploads'), json(bodies.upload)),
    route(
      'GET',
      id().map((x) => `/uploads/${x}`),
    ),
    route(
      'DELETE',
      id().map((x) => `/uploads/${x}`),
    ),
    route(
      'GET',
      id().map((x) => `/files/${x}`),
    ),
    route(
      'PATCH',
      id().map((x) => `/files/${x}`),
      json(bodies.rename),
    ),
    route(
      'GET',
      id().map((x) => `/files/${x}/download`),
    ),
    route(
      'DELETE',
      id().map((x) => `/files/${x}`),
    ),
    route('PATCH', fc.constant('/users/me'), json(bodies.profile)),
    route('POST', fc.constant('/users/me/password'), json(bodies.password)),
    route('DELETE', fc.constant('/users/me'), json(bodies.deleteAccount)),
    route(
      'GET',
      fc
        .record(
          { limit: fc.oneof(fc.integer({ min: -2, max: 300 }), fc.string()), cursor: fc.string() },
          { requiredKeys: [] },
        )
        .map((q) => `/files?${new URLSearchParams(q as Record<string, string>)}`),
    ),
  );
  const random = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE'),
    path: fc.oneof(
      fc.constantFrom('/auth/me', '/users/me', '/users/me/password', '/uploads', '/files'),
      id().map((x) => `/uploads/${x}`),
      id().map((x) => `/files/${x}`),
      id().map((x) => `/files/${x}/download`),
    ),
    payload: anyPayload,
  });
  return fc.record({
    call: mostly(known, random),
    csrf: mostly(fc.constant(true), fc.constant(false)),
  });
};

const chunkRequest = fc.record({
  upload: mostly(fc.constant('a'), fc.constant('b')),
  token: mostly(fc.constant('upload'), fc.constantFrom('access', 'none', 'garbage')),
  index: mostly(
    fc.integer({ min: 0, max: 2 }).map(String),
    fc.oneof(fc.constantFrom('-1', '3', '01'), fc.string({ maxLength: 12 }).map(encodeURIComponent)),
  ),
  length: mostly(fc.constant(MiB), fc.integer({ min: 0, max: 2 * MiB })),
  /** Where the body starts in the data: 0 is "the" content of every index, others are different bytes. */
  offset: mostly(fc.constant(0), fc.integer({ min: 1, max: 4 })),
  sha: mostly(fc.constant('right'), fc.constantFrom('wrong', 'missing', 'garbage')),
  contentType: mostly(fc.constant('application/octet-stream'), fc.constantFrom('application/json', 'text/plain')),
});

/** Answers by status, printed after each property so a run shows how deep it reached. */
function tally() {
  const counts = new Map<number, number>();
  return {
    add: (status: number) => counts.set(status, (counts.get(status) ?? 0) + 1),
    print: (what: string) =>
      console.log(
        `fuzz ${what}: ${[...counts]
          .sort(([x], [y]) => x - y)
          .map(([k, v]) => `${k}×${v}`)
          .join(' ')}`,
      ),
  };
}

/** `sent` is the request as text: an id A put in it may be echoed back (a 404 names its path), nothing else of B's. */
function assertNoLeak(label: string, status: number, text: string, sent: string) {
  expect(status, `${label} → ${status} ${text.slice(0, 300)}`).toBeLessThan(500);
  for (const secret of bSecrets().filter((s) => !sent.includes(s))) {
    expect(text, `${label} leaked B's data`).not.toContain(secret);
  }
}

async function counters(u: SeededUser) {
  const reserved = await reservedBytes(stack.endpoint, stack.prefix, u.userId);
  const uploads = (await u.client.get('/uploads')).body as {
    uploads: Array<{ receivedChunks: number; totalChunks: number; receivedBytes: number; size: number }>;
  };
  return { reserved, uploads: uploads.uploads };
}

function assertCounters(c: Awaited<ReturnType<typeof counters>>) {
  expect(c.reserved).toBeGreaterThanOrEqual(0);
  expect(c.reserved).toBeLessThanOrEqual(QUOTA);
  for (const u of c.uploads) {
    expect(u.receivedChunks).toBeGreaterThanOrEqual(0);
    expect(u.receivedChunks).toBeLessThanOrEqual(u.totalChunks);
    expect(u.receivedBytes).toBeGreaterThanOrEqual(0);
    expect(u.receivedBytes).toBeLessThanOrEqual(u.size);
  }
}

describe('fuzzing', () => {
  it(`uploads routes: ${RUNS} random chunk requests, never a 5xx, counters within bounds`, async () => {
    const bBefore = await counters(b);
    const seen = tally();
    const data = randomBytes(3 * MiB);
    await fc.assert(
      fc.asyncProperty(chunkRequest, async (req) => {
        const plan = req.upload === 'a' ? a.open : b.open;
        const payload = data.subarray(req.offset, req.offset + req.length);
        const headers: Record<string, string> = { 'content-type': req.contentType };
        if (req.token === 'upload') headers.authorization = `Bearer ${a.open.uploadToken}`;
        if (req.token === 'access') headers.authorization = `Bearer ${a.client.cookies.get('lfusys-access')}`;
        if (req.token === 'garbage') headers.authorization = `Bearer ${randomUUID()}`;
        if (req.sha === 'right') headers['x-chunk-sha256'] = sha256(payload);
        if (req.sha === 'wrong') headers['x-chunk-sha256'] = sha256(Buffer.from('other'));
        if (req.sha === 'garbage') headers['x-chunk-sha256'] = 'not base64!';
        const res = await fetch(`${plan.uploadUrl}/chunks/${req.index}`, { method: 'PUT', headers, body: payload });
        seen.add(res.status);
        assertNoLeak(`PUT chunk ${JSON.stringify(req)}`, res.status, await res.text(), plan.uploadUrl);
        // Only A's upload token opens A's upload; B's upload never moves.
        if (req.upload === 'b' || req.token !== 'upload') expect(res.status).not.toBe(200);
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    seen.print('uploads routes');
    assertCounters(await counters(a));
    expect(await counters(b)).toEqual(bBefore);
    // What the fuzzing recorded is consistent: sending the missing chunks completes A's upload once.
    const view = (await a.client.get(`/uploads/${a.open.uploadId}`)).body as {
      upload: { status: string };
      receivedIndexes: number[];
    };
    if (view.upload.status === 'uploading') {
      await sendChunks(
        a.open,
        data,
        [0, 1, 2].filter((i) => !view.receivedIndexes.includes(i)),
        3,
      );
    }
    const done = await waitForUpload(a.client, a.open.uploadId, 'completed');
    expect(done.upload.receivedChunks).toBe(3);
    const file = (await a.client.get(`/files/${done.upload.fileId}`)).body as { file: { size: number } };
    expect(file.file.size).toBe(3 * MiB);
  }, 300_000);
  it(`gateway routes: ${RUNS} random requests as A, never a 5xx or B's data`, async () => {
    const bBefore = await counters(b);
    const seen = tally();
    await fc.assert(
      fc.asyncProperty(gatewayRequest(), async (req) => {
        const { method, path } = req.call;
        // fetch cannot send a GET body (nor can a browser).
        const payload = method === 'GET' ? {} : (req.call.payload ?? {});
        const res = await a.client.request(method, path, { ...payload, csrf: req.csrf });
        seen.add(res.status);
        assertNoLeak(`${method} ${path}`, res.status, res.text, JSON.stringify(req));
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    seen.print('gateway routes');
    assertCounters(await counters(a));
    expect(await counters(b)).toEqual(bBefore);
    expect((await b.client.get('/auth/sessions')).status).toBe(200);
  }, 300_000);
});
