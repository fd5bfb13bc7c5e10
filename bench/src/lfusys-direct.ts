import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Stack, TestClient } from '@lfusys/testkit';
import { assembledAt, verificationLogged, waitUntilListed } from './completion.ts';
import { httpDirectApi } from './direct/direct-api.ts';
import { PartHasher } from './direct/part-hasher.ts';
import { type PartSenderResult, sendParts } from './direct/part-sender.ts';
import type { LfusysUploadResult } from './lfusys.ts';
import { readRange } from './testfile.ts';
import { now, sleep, transferBoundMs } from './time.ts';

/** Variant A′: our direct transfer — the browser's bytes go straight to S3 on presigned part URLs. */

export interface DirectUploadOptions {
  concurrency: number;
  /** Declare the file's SHA-256 (hex) right after open, so sessions verifies it at assembly (the web app always declares). */
  declareSha256: boolean;
  pollMs?: number;
}

export interface LfusysDirectResult extends LfusysUploadResult {
  declaredSha256: boolean;
  /** Signing and confirmation traffic, re-signs and re-sends. */
  parts: Omit<PartSenderResult, 'latenciesMs' | 'complete'>;
  /** Sessions' own whole-file read-back time ("whole-file sha256 verified"); NaN when nothing was declared. */
  verifyLoggedMs: number;
}

const fileHashes = new Map<string, Promise<string>>();

/**
 * The file's SHA-256 in hex, computed once per test file and outside the timed window: the web app
 * hashes in a Worker while it uploads, so its cost runs beside the transfer, not before it.
 */
export function wholeFileSha256(path: string): Promise<string> {
  let hash = fileHashes.get(path);
  if (!hash) {
    hash = new Promise<string>((resolve, reject) => {
      const digest = createHash('sha256');
      createReadStream(path)
        .on('data', (chunk) => digest.update(chunk))
        .on('end', () => resolve(digest.digest('hex')))
        .on('error', reject);
    });
    fileHashes.set(path, hash);
  }
  return hash;
}

let hasher: PartHasher | undefined;

/** One hashing thread for every upload, as a page keeps its Worker; started by the untimed warm-up. */
function partHasher(): PartHasher {
  hasher ??= new PartHasher();
  return hasher;
}

interface DirectPlan {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  transfer: string;
}

async function openDirect(client: TestClient, size: number): Promise<DirectPlan> {
  const res = await client.post('/uploads', {
    fileName: `bench-direct-${size}.bin`,
    size,
    contentType: 'application/octet-stream',
    transfer: 'direct',
  });
  if (res.status !== 201) throw new Error(`POST /uploads (direct): ${res.status} ${res.text.slice(0, 300)}`);
  const plan = res.body as DirectPlan;
  if (plan.transfer !== 'direct') throw new Error(`POST /uploads answered transfer "${plan.transfer}", not direct`);
  return plan;
}

/** Declares the whole file's SHA-256 the way the web app does: PATCH /uploads/:id once it is known. */
async function declareSha256(client: TestClient, uploadId: string, sha256: string): Promise<void> {
  const res = await client.request('PATCH', `/uploads/${uploadId}`, { json: { sha256 } });
  if (res.status !== 200) throw new Error(`PATCH /uploads/${uploadId}: ${res.status} ${res.text.slice(0, 300)}`);
}

/** Opens a direct upload, sends every part (sign, PUT to storage, confirm), then waits until the file is listed. */
export async function uploadWithLfusysDirect(
  stack: Stack,
  client: TestClient,
  path: string,
  size: number,
  options: DirectUploadOptions,
): Promise<LfusysDirectResult> {
  const pollMs = options.pollMs ?? 100;
  const sha256 = options.declareSha256 ? await wholeFileSha256(path) : undefined;
  const deadline = Date.now() + transferBoundMs(size) + 120_000;
  const t0 = now();
  const plan = await openDirect(client, size);
  if (sha256) await declareSha256(client, plan.uploadId, sha256);
  const range = (index: number) => [index * plan.chunkSize, Math.min(size, (index + 1) * plan.chunkSize)] as const;
  const hasher = partHasher();
  const sent = await sendParts({
    api: httpDirectApi(client),
    uploadId: plan.uploadId,
    totalChunks: plan.totalChunks,
    concurrency: options.concurrency,
    readPart: (index) => readRange(path, ...range(index)),
    hashPart: async (index) => {
      const [start, end] = range(index);
      return { index, sha256: await hasher.sha256(path, start, end), length: end - start };
    },
    clock: Date.now,
    monotonic: now,
    sleep,
  });
  if (!sent.complete)
    throw new Error(`upload ${plan.uploadId}: every part confirmed, but no confirmation said complete`);
  const tParts = now();
  const lastConfirmEpoch = Date.now();
  const done = await waitUntilListed(client, plan.uploadId, deadline, pollMs);
  const logged = assembledAt(stack, plan.uploadId);
  const { latenciesMs, complete: _complete, ...parts } = sent;
  return {
    bytes: size,
    chunkSize: plan.chunkSize,
    concurrency: options.concurrency,
    totalMs: done.listedAt - t0,
    chunksMs: tParts - t0,
    assemblyPolledMs: done.completedAt - tParts,
    assemblyLoggedMs: logged === undefined ? Number.NaN : logged - lastConfirmEpoch,
    listMs: done.listedAt - done.completedAt,
    chunkLatenciesMs: latenciesMs,
    retries: sent.retries,
    uploadId: plan.uploadId,
    fileId: done.fileId,
    declaredSha256: options.declareSha256,
    parts,
    verifyLoggedMs: verificationLogged(stack, plan.uploadId)?.ms ?? Number.NaN,
  };
}
