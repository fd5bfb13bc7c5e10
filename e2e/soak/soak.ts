import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client, resourceNames } from '@lfusys/commons';
import {
  type FaultAction,
  type FaultProxy,
  type Stack,
  signUp,
  startFaultProxy,
  startStack,
  type TestClient,
  type TestResponse,
} from '@lfusys/commons/testing';

import { reservedBytes } from '../test/fixtures.ts';

/**
 * The chaos soak: many uploads of random sizes, their chunks shuffled, duplicated and retried, while
 * faults fire at random under the services (S3 errors, resets, stalls and latency; DynamoDB and
 * SQS errors; a worker or the sessions process SIGKILLed) and between the clients and the workers.
 * At the end every upload must be complete with its source's SHA-256 or cleanly failed/cancelled;
 * no file listed twice, no multipart upload or object left over, each user's reserved quota equal
 * to the bytes of their files. Loopback only, bounded in count and time.
 */
export interface SoakOptions {
  /** S3/DynamoDB/SQS endpoint (moto with a 1 KiB minimum part size for small chunks). */
  endpoint: string;
  uploads: number;
  /** Uploads in flight at once. */
  concurrency: number;
  users: number;
  maxFileBytes: number;
  chunkBytes: number;
  /** Share of requests (0..1) through the proxies that get a fault: to S3, DynamoDB, SQS and to the workers. */
  faultRate: number;
  /** A process is SIGKILLed this often: an uploads worker, or (every third time, if enabled) sessions. */
  killEveryMs: number;
  killSessions: boolean;
  /** Whole-run bound; uploads not started by then are skipped, unfinished ones count as lost. */
  timeLimitMs: number;
  seed: number;
  log: (line: string) => void;
}

export interface SoakReport {
  seed: number;
  uploads: number;
  completed: number;
  failed: number;
  cancelled: number;
  skipped: number;
  faults: number;
  faultsByKind: Record<string, number>;
  lost: number;
  duplicated: number;
  orphaned: number;
  /** Every discrepancy found, in words. */
  problems: string[];
  seconds: number;
}

export const summaryLine = (r: SoakReport) =>
  `soak: ${r.uploads} uploads, ${r.faults} faults, ${r.lost} lost, ${r.duplicated} duplicated, ${r.orphaned} orphaned`;

/** mulberry32: a small seeded PRNG, so a run's choices can be replayed with its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');

interface Plan {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  uploadUrl: string;
  uploadToken: string;
}

type Outcome = 'completed' | 'failed' | 'cancelled' | 'lost';

/**
 * Faults drawn per request: each request through a proxy is faulted with probability `rate`, with
 * a fault that suits it. Unlike faults on a timer, this cannot starve the last upload standing: a
 * chunk needs, on average, 1 / (1 − rate) attempts whatever else is running.
 */
class RandomFaults {
  readonly fired = new Map<string, number>();
  enabled = true;

  constructor(
    private readonly random: () => number,
    private readonly rate: number,
  ) {}

  attach(proxy: FaultProxy, choices: (req: IncomingMessage) => Array<[kind: string, action: FaultAction]>): void {
    proxy.setRule((req) => {
      if (!this.enabled) return 'forward';
      const options = choices(req);
      if (options.length === 0 || this.random() >= this.rate) return 'forward';
      const [kind, action] = options[Math.floor(this.random() * options.length)] ?? ['none', 'forward'];
      this.count(kind);
      return action;
    });
  }

  count(kind: string): void {
    this.fired.set(kind, (this.fired.get(kind) ?? 0) + 1);
  }

  get total(): number {
    return [...this.fired.values()].reduce((a, b) => a + b, 0);
  }
}

const target = (req: IncomingMessage) => String(req.headers['x-amz-target'] ?? '');
const isUploadPart = (req: IncomingMessage) => req.method === 'PUT' && (req.url ?? '').includes('partNumber=');
const isComplete = (req: IncomingMessage) => req.method === 'POST' && /[?&]uploadId=/.test(req.url ?? '');
const isChunkPut = (req: IncomingMessage) => req.method === 'PUT' && (req.url ?? '').includes('/chunks/');

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = Date.now();
  const deadline = started + options.timeLimitMs;
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const problems: string[] = [];
  const faults = new RandomFaults(random, options.faultRate);

  const awsProxy = await startFaultProxy(options.endpoint);
  const quiet = { LOG_LEVEL: 'warn' };
  const stack: Stack = await startStack({
    endpoint: options.endpoint,
    gateway: true,
    uploads: true,
    uploadsWorkers: 2,
    env: {
      gateway: { ...quiet, ACCESS_TOKEN_TTL_SECONDS: '3600' },
      sessions: {
        ...quiet,
        CHUNK_SIZE_BYTES: String(options.chunkBytes),
        CHUNK_ALIGN_BYTES: String(Math.min(options.chunkBytes, 1024 * 1024)),
        AWS_ENDPOINT_URL: awsProxy.url,
        ASSEMBLY_VISIBILITY_TIMEOUT_SECONDS: '10',
        SWEEP_INTERVAL_MS: '2000',
      },
      uploads: { ...quiet, AWS_ENDPOINT_URL: awsProxy.url, AWS_SOCKET_TIMEOUT_MS: '3000' },
    },
  });
  const clientProxy = await startFaultProxy(stack.uploadsBase);
  faults.attach(awsProxy, (req) => {
    if (isUploadPart(req))
      return [
        ['s3 UploadPart 503', 'fail'],
        ['s3 UploadPart reset', 'reset'],
        ['s3 UploadPart stall', 'hold'],
        ['s3 UploadPart +1.5 s', { delayMs: 1500 }],
      ];
    if (isComplete(req)) return [['s3 CompleteMultipartUpload 503', 'fail']];
    if (target(req) === 'AmazonSQS.SendMessage') return [['sqs SendMessage 503', 'fail']];
    if (target(req).startsWith('DynamoDB_')) return [['dynamodb 503', 'fail']];
    return [];
  });
  faults.attach(clientProxy, (req) =>
    isChunkPut(req)
      ? [
          ['client connection reset', 'reset'],
          ['client cut mid-body', { cutAfterBytes: Math.floor(random() * 512 * 1024) + 1 }],
          ['client stall', 'hold'],
          ['client +1 s', { delayMs: 1000 }],
        ]
      : [],
  );

  let sessionsDown: Promise<void> | undefined;
  let kills = 0;
  const killOne = () => {
    kills += 1;
    if (options.killSessions && kills % 3 === 0 && !sessionsDown) {
      faults.count('sessions SIGKILL + restart');
      sessionsDown = (async () => {
        await stack.processes.sessions.stop('SIGKILL');
        await sleep(between(200, 1500));
        await stack.restartSessions();
      })().finally(() => {
        sessionsDown = undefined;
      });
      return;
    }
    const primary = stack.processes.uploads?.pid;
    if (!primary) return;
    try {
      execFileSync('pkill', ['-KILL', '-P', String(primary)]);
      faults.count('uploads workers SIGKILL');
    } catch {
      // No worker alive at this instant (the primary is forking them again).
    }
  };
  const faultTimer = setInterval(killOne, options.killEveryMs);

  /** Gateway calls retried through sessions restarts (a 5xx or no answer), as the web app does. */
  const gw = async (client: TestClient, method: string, path: string, json?: unknown): Promise<TestResponse> => {
    for (let attempt = 0; ; attempt++) {
      const res = await client.request(method, path, json === undefined ? {} : { json }).catch(() => undefined);
      if (res && res.status < 500) return res;
      if (attempt >= 20) throw new Error(`${method} ${path}: ${res?.status ?? 'no answer'} after ${attempt} tries`);
      await sleep(Math.min(250 * 2 ** attempt, 2000));
    }
  };

  const users = await Promise.all(Array.from({ length: options.users }, () => signUp(stack.gatewayApi)));
  const completedBy = new Map<string, Array<{ uploadId: string; fileId: string; size: number }>>();
  let done = 0;
  const counts: Record<Outcome, number> = { completed: 0, failed: 0, cancelled: 0, lost: 0 };

  async function sendChunk(client: TestClient, plan: Plan, data: Buffer, index: number): Promise<'ok' | 'closed'> {
    const body = data.subarray(index * plan.chunkSize, Math.min(data.length, (index + 1) * plan.chunkSize));
    const path = new URL(`${plan.uploadUrl}/chunks/${index}`).pathname;
    const answers: string[] = [];
    for (let attempt = 0; attempt < 30; attempt++) {
      const res = await fetch(`${clientProxy.url}${path}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${plan.uploadToken}`,
          'content-type': 'application/octet-stream',
          'x-chunk-sha256': sha256(body),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      }).catch((err: Error & { cause?: { code?: string } }) => err);
      const status = res instanceof Response ? res.status : 0;
      const text =
        res instanceof Response ? await res.text().catch(() => '') : `${res.name} ${res.cause?.code ?? res.message}`;
      answers.push(`${status} ${text.slice(0, 120)}`);
      if (status === 200) return 'ok';
      // The upload ended meanwhile (completed by the other lanes, or cancelled).
      if (status === 409 && text.includes('"failed_precondition"')) return 'closed';
      if (status === 401) {
        // Renew the token the way the web app does: read the upload again.
        const fresh = await gw(client, 'GET', `/uploads/${plan.uploadId}`);
        const token = (fresh.body as { uploadToken?: string }).uploadToken;
        if (token) plan.uploadToken = token;
        continue;
      }
      if (status !== 0 && status < 500) {
        problems.push(`upload ${plan.uploadId} chunk ${index}: unexpected ${status} ${text.slice(0, 200)}`);
        return 'closed';
      }
      await sleep(Math.min(200 * 2 ** attempt, 3000) * (0.5 + random()));
    }
    problems.push(`upload ${plan.uploadId} chunk ${index}: no success after 30 attempts: ${answers.join(' | ')}`);
    return 'closed';
  }

  async function oneUpload(n: number): Promise<Outcome> {
    const user = users[n % users.length];
    if (!user) throw new Error('no user');
    const client = user.client;
    // Sizes from 1 byte to the maximum, with exact chunk multiples and ±1 edges over-represented.
    const shape = random();
    const size =
      shape < 0.15
        ? options.chunkBytes * between(1, Math.max(1, Math.floor(options.maxFileBytes / options.chunkBytes))) +
          pick([-1, 0, 1])
        : between(1, options.maxFileBytes);
    const data = randomBytes(Math.max(1, size));
    // Retries of the open carry the same key (as the web app's do), so they cannot open a second upload.
    const opened = await gw(client, 'POST', '/uploads', {
      fileName: `soak-${n}.bin`,
      size: data.length,
      sha256: sha256(data),
      idempotencyKey: `soak-${options.seed}-${n}`,
    });
    if (opened.status !== 201) {
      problems.push(`upload ${n}: open answered ${opened.status} ${opened.text.slice(0, 200)}`);
      return 'lost';
    }
    const plan = opened.body as Plan;
    const indexes = Array.from({ length: plan.totalChunks }, (_, i) => i);
    const queue = [...indexes, ...indexes.filter(() => random() < 0.2)].sort(() => random() - 0.5);
    const cancelAt = random() < 0.06 ? Math.floor(queue.length / 2) : -1;
    let sent = 0;
    let cancelled = false;
    const lane = async () => {
      for (let index = queue.shift(); index !== undefined && !cancelled; index = queue.shift()) {
        if (sent === cancelAt) {
          cancelled = true;
          const res = await gw(client, 'DELETE', `/uploads/${plan.uploadId}`);
          if (res.status !== 204) problems.push(`upload ${plan.uploadId}: cancel answered ${res.status}`);
          return;
        }
        sent += 1;
        if ((await sendChunk(client, plan, data, index)) === 'closed') return;
      }
    };
    await Promise.all([lane(), lane(), lane()]);

    const until = Math.min(deadline, Date.now() + 120_000);
    for (;;) {
      const res = await gw(client, 'GET', `/uploads/${plan.uploadId}`);
      const view = res.body as { upload?: { status: string; fileId?: string; failureReason?: string } };
      const status = view.upload?.status;
      if (status === 'completed') {
        const fileId = view.upload?.fileId ?? '';
        const link = await gw(client, 'GET', `/files/${fileId}/download`);
        const url = (link.body as { url?: string }).url ?? '';
        const stored = await fetch(url).then(async (r) => sha256(Buffer.from(await r.arrayBuffer())));
        if (stored !== sha256(data)) {
          problems.push(`upload ${plan.uploadId}: completed with a different SHA-256`);
          return 'lost';
        }
        const list = completedBy.get(user.userId) ?? [];
        list.push({ uploadId: plan.uploadId, fileId, size: data.length });
        completedBy.set(user.userId, list);
        return 'completed';
      }
      if (status === 'cancelled' && cancelled) return 'cancelled';
      if (status === 'failed' && view.upload?.failureReason) {
        options.log(`upload ${plan.uploadId} failed cleanly: ${view.upload.failureReason}`);
        return 'failed';
      }
      if (status === 'cancelled' || status === 'expired' || status === 'failed') {
        problems.push(`upload ${plan.uploadId}: ended ${status} unexpectedly`);
        return 'lost';
      }
      if (Date.now() > until) {
        problems.push(`upload ${plan.uploadId}: still ${status ?? res.status} when time ran out`);
        return 'lost';
      }
      await sleep(500);
    }
  }

  let next = 0;
  let skipped = 0;
  const progress = setInterval(() => {
    options.log(
      `soak: ${done}/${options.uploads} done (${counts.completed} completed, ${counts.failed} failed, ${counts.cancelled} cancelled, ${counts.lost} lost), ${faults.total} faults, ${Math.round((Date.now() - started) / 1000)} s`,
    );
  }, 10_000);
  const worker = async () => {
    for (let n = next++; n < options.uploads; n = next++) {
      if (Date.now() > deadline - 30_000) {
        skipped += 1;
        continue;
      }
      const outcome = await oneUpload(n).catch((err: Error) => {
        problems.push(`upload ${n}: ${err.message}`);
        return 'lost' as const;
      });
      counts[outcome] += 1;
      done += 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    clearInterval(faultTimer);
    clearInterval(progress);
    faults.enabled = false;
    await sessionsDown;
  }

  // The end state, read straight from the stores.
  let duplicated = 0;
  let orphaned = 0;
  const s3 = createS3Client({ region: 'us-east-1', endpoint: options.endpoint });
  const names = resourceNames(stack.prefix);
  for (const user of users) {
    const expected = completedBy.get(user.userId) ?? [];
    const listed: Array<{ id: string; size: number }> = [];
    for (let cursor: string | undefined; ; ) {
      const page = await gw(user.client, 'GET', `/files?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      const body = page.body as { files: Array<{ id: string; size: number }>; nextCursor?: string };
      listed.push(...body.files);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    const ids = listed.map((f) => f.id);
    const extra = ids.length - new Set(ids).size + ids.filter((id) => !expected.some((e) => e.fileId === id)).length;
    if (extra > 0) problems.push(`user ${user.userId}: ${extra} file(s) listed more than once or never completed`);
    duplicated += extra;
    for (const missing of expected.filter((e) => !ids.includes(e.fileId))) {
      problems.push(`upload ${missing.uploadId}: completed but not listed`);
      counts.lost += 1;
    }
    // Nothing may be left in progress: a retried open that made a second upload would show here.
    const { uploads: unfinished } = (await gw(user.client, 'GET', '/uploads')).body as {
      uploads: Array<{ uploadId: string; status: string }>;
    };
    for (const ghost of unfinished) problems.push(`upload ${ghost.uploadId} left ${ghost.status}`);
    orphaned += unfinished.length;
    const prefix = `files/${user.userId}/`;
    const open = await s3.send(new ListMultipartUploadsCommand({ Bucket: names.bucket, Prefix: prefix }));
    for (const mpu of open.Uploads ?? []) problems.push(`open multipart upload left: ${mpu.Key}`);
    orphaned += open.Uploads?.length ?? 0;
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: names.bucket, Prefix: prefix }));
    const strays = (objects.Contents ?? []).filter((o) => !expected.some((e) => o.Key === `${prefix}${e.uploadId}`));
    for (const stray of strays) problems.push(`object without a file: ${stray.Key}`);
    orphaned += strays.length;
    const reserved = await reservedBytes(options.endpoint, stack.prefix, user.userId);
    const stored = expected.reduce((sum, e) => sum + e.size, 0);
    if (reserved !== stored)
      problems.push(`user ${user.userId}: quota reserves ${reserved} bytes, files hold ${stored}`);
  }

  await stack.stop();
  await Promise.all([awsProxy.close(), clientProxy.close()]);
  return {
    seed: options.seed,
    uploads: done,
    completed: counts.completed,
    failed: counts.failed,
    cancelled: counts.cancelled,
    skipped,
    faults: faults.total,
    faultsByKind: Object.fromEntries([...faults.fired].sort()),
    lost: counts.lost,
    duplicated,
    orphaned,
    problems,
    seconds: Math.round((Date.now() - started) / 1000),
  };
}
