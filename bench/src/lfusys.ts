import { createHash, randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, type DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { resourceNames, uploadPartition } from '@lfusys/commons';
import { bootstrapPrefix } from '@lfusys/commons/local-aws';
import { type Stack, signUp, startStack, type TestClient } from '@lfusys/testkit';
import { assembledAt, waitUntilListed } from './completion.ts';
import { MiB } from './stats.ts';
import { readRange } from './testfile.ts';
import { now, sleep, transferBoundMs } from './time.ts';

/** Variant A: our whole path — gateway, sessions, uploads workers — as real processes on loopback. */

/** Limits raised so the API load and repeated uploads measure the code, not the rate limiter or quota. */
export const BENCH_GATEWAY_ENV = {
  RATE_LIMIT_GLOBAL_PER_MINUTE: '10000000',
  RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_15_MINUTES: '1000000',
  // The API bench opens uploads as fast as one user can.
  UPLOADS_OPENS_PER_MINUTE: '10000000',
  // A full run takes longer than the default 15 minute access token.
  ACCESS_TOKEN_TTL_SECONDS: '3600',
  LOG_LEVEL: 'warn',
};

/**
 * The environment that turns tracing on in every service (BENCH_TRACING): the deployed sampler at
 * `ratio`, spans written as OTLP/JSON lines to a temp dir (serialised and written like an export).
 */
function tracingEnv(ratio: number | undefined): Record<string, string> {
  if (ratio === undefined) return {};
  return {
    TRACES_DIR: join(tmpdir(), 'lfusys-bench-traces'),
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(ratio),
  };
}

/**
 * Where the stack's AWS is: one emulator for everything, or (BENCH_EMULATORS=split) S3 on its own,
 * as AWS serves S3 apart from DynamoDB and SQS.
 */
export interface BenchEndpoints {
  endpoint: string;
  s3Endpoint?: string | undefined;
}

export async function startLfusys(
  where: BenchEndpoints,
  chunkMiB: number,
  workers: number,
  tracingRatio: number | undefined,
): Promise<Stack> {
  const tracing = tracingEnv(tracingRatio);
  const prefix = `b-${randomUUID().slice(0, 12)}`;
  const s3: Record<string, string> = where.s3Endpoint ? { AWS_ENDPOINT_URL_S3: where.s3Endpoint } : {};
  // The stack makes its resources on the main endpoint; S3's own emulator needs the bucket too.
  if (where.s3Endpoint) await bootstrapPrefix(prefix, where.s3Endpoint, ['http://localhost:5173']);
  return startStack({
    endpoint: where.endpoint,
    prefix,
    gateway: true,
    uploads: true,
    uploadsWorkers: workers,
    env: {
      sessions: {
        CHUNK_SIZE_BYTES: String(chunkMiB * MiB),
        USER_QUOTA_BYTES: String(1024 * 1024 * MiB),
        MAX_FILE_BYTES: String(64 * 1024 * MiB),
        UPLOADS_IN_PROGRESS_MAX: '10000000',
        ...s3,
        ...tracing,
      },
      gateway: { ...BENCH_GATEWAY_ENV, ...s3, ...tracing },
      // Per-request access logs of 16 MiB chunks are noise here; errors still show. One user sends
      // up to 16 chunks at once (the memory run): the per-user cap (default 8) must not refuse them.
      uploads: { LOG_LEVEL: 'warn', CHUNKS_IN_FLIGHT_PER_USER: '49', ...tracing },
    },
  });
}

export interface UploadPlan {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  uploadUrl: string;
  uploadToken: string;
}

export interface LfusysUploadResult {
  bytes: number;
  chunkSize: number;
  concurrency: number;
  /** POST /uploads until the file is listed in GET /files: the user-visible upload time. */
  totalMs: number;
  /** POST /uploads until the last chunk's 200. */
  chunksMs: number;
  /** Last chunk's 200 until GET /uploads/:id says completed (100 ms polls). */
  assemblyPolledMs: number;
  /** Last chunk's 200 until sessions logged "upload assembled" (no poll granularity); NaN if not found. */
  assemblyLoggedMs: number;
  /** Completed until listed. */
  listMs: number;
  /** Per chunk PUT: read + SHA-256 + request until its 200. */
  chunkLatenciesMs: number[];
  retries: number;
  uploadId: string;
  fileId: string;
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

export async function openUpload(client: TestClient, fileName: string, size: number): Promise<UploadPlan> {
  const res = await client.post('/uploads', {
    fileName,
    size,
    contentType: 'application/octet-stream',
    transfer: 'relay',
  });
  if (res.status !== 201) throw new Error(`POST /uploads: ${res.status} ${res.text}`);
  return res.body as UploadPlan;
}

export function putChunk(plan: UploadPlan, index: number, body: Uint8Array, digest: string): Promise<Response> {
  return fetch(`${plan.uploadUrl}/chunks/${index}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${plan.uploadToken}`,
      'content-type': 'application/octet-stream',
      'x-chunk-sha256': digest,
    },
    body,
    signal: AbortSignal.timeout(120_000),
  });
}

export interface UploadOptions {
  concurrency: number;
  /** Poll interval for GET /uploads/:id after the last chunk (the web app polls every 1000 ms). */
  pollMs?: number;
  /** Called once all chunks are acknowledged (the memory phase stops sampling there). */
  onChunksDone?: () => void;
}

/**
 * What the web app's upload engine does, in Node: open the upload, then N lanes that each slice the
 * next chunk from disk, hash it (SHA-256) and PUT it to the uploads workers; then poll until the
 * upload is completed and the file is listed.
 */
export async function uploadWithLfusys(
  stack: Stack,
  client: TestClient,
  path: string,
  size: number,
  options: UploadOptions,
): Promise<LfusysUploadResult> {
  const pollMs = options.pollMs ?? 100;
  const deadline = Date.now() + transferBoundMs(size) + 120_000;
  const t0 = now();
  const plan = await openUpload(client, `bench-${size}.bin`, size);
  const latencies: number[] = [];
  let retries = 0;
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < plan.totalChunks; index = next++) {
      const start = now();
      const body = await readRange(path, index * plan.chunkSize, Math.min(size, (index + 1) * plan.chunkSize));
      const digest = sha256(body);
      for (let attempt = 1; ; attempt++) {
        const res = await putChunk(plan, index, body, digest).catch((err: unknown) => err as Error);
        if (!(res instanceof Error) && res.status === 200) {
          await res.arrayBuffer();
          break;
        }
        const why = res instanceof Error ? res.message : `${res.status} ${await res.text()}`;
        if (attempt >= 3 || Date.now() > deadline) throw new Error(`chunk ${index}: ${why}`);
        retries++;
        await sleep(500 * attempt);
      }
      latencies.push(now() - start);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, plan.totalChunks) }, lane));
  const tChunks = now();
  const lastChunkEpoch = Date.now();
  options.onChunksDone?.();

  const {
    completedAt: tComplete,
    listedAt: tListed,
    fileId,
  } = await waitUntilListed(client, plan.uploadId, deadline, pollMs);
  const logged = assembledAt(stack, plan.uploadId);
  return {
    bytes: size,
    chunkSize: plan.chunkSize,
    concurrency: options.concurrency,
    totalMs: tListed - t0,
    chunksMs: tChunks - t0,
    assemblyPolledMs: tComplete - tChunks,
    assemblyLoggedMs: logged === undefined ? Number.NaN : logged - lastChunkEpoch,
    listMs: tListed - tComplete,
    chunkLatenciesMs: latencies,
    retries,
    uploadId: plan.uploadId,
    fileId,
  };
}

/** Deletes an uploaded file (object and record), so the emulator does not accumulate gigabytes. */
export async function deleteFile(client: TestClient, fileId: string): Promise<void> {
  const res = await client.request('DELETE', `/files/${fileId}`);
  if (res.status !== 204) throw new Error(`DELETE /files/${fileId}: ${res.status} ${res.text}`);
}

/**
 * Benchmark housekeeping after a finished upload: removes its session and part items from the
 * uploads table. moto's TransactWriteItems deep-copies every table it touches (about 50 µs per item,
 * measured: ~6 ms at 100 items, ~59 ms at 1000), so a table that grows run after run would slow every
 * later recordPart — an emulator artifact real DynamoDB does not have. Each run starts from the same state.
 */
export async function forgetUpload(dynamo: DynamoDBClient, stack: Stack, uploadId: string): Promise<void> {
  const table = resourceNames(stack.prefix).uploadsTable;
  const out = await dynamo.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: uploadPartition(uploadId) } },
      ProjectionExpression: 'pk, sk',
      ConsistentRead: true,
    }),
  );
  const keys = (out.Items ?? []).map((item) => ({ pk: item.pk ?? { S: '' }, sk: item.sk ?? { S: '' } }));
  for (let i = 0; i < keys.length; i += 25) {
    await dynamo.send(
      new BatchWriteItemCommand({
        RequestItems: { [table]: keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } })) },
      }),
    );
  }
}

/** Deletes the file, then forgets the upload's items (see forgetUpload). */
export async function cleanUpUpload(
  client: TestClient,
  dynamo: DynamoDBClient,
  stack: Stack,
  result: { fileId: string; uploadId: string },
): Promise<void> {
  await deleteFile(client, result.fileId);
  await forgetUpload(dynamo, stack, result.uploadId);
}

export { signUp };
