import { createHash } from 'node:crypto';
import type { TestClient, TestResponse } from '@lfusys/testkit';

/** What `POST /uploads` answers (the fields the soak uses). */
export interface Plan {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  uploadUrl: string;
  uploadToken: string;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');
/** Hex SHA-256: a whole file's declared hash, verified at assembly. */
export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Seconds from a `Retry-After` header, bounded so a hostile or odd value cannot stall the run. */
const retryAfterMs = (headers: Headers | undefined, fallbackMs: number) => {
  const seconds = Number(headers?.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1000, 10_000) : fallbackMs;
};

/**
 * A gateway call retried through sessions restarts (a 5xx or no answer) and rate limits (429,
 * after `Retry-After`), as the web app does; throws after `tries` attempts.
 */
export async function gatewayCall(
  client: TestClient,
  method: string,
  path: string,
  json?: unknown,
  tries = 20,
): Promise<TestResponse> {
  for (let attempt = 0; ; attempt++) {
    const res = await client.request(method, path, json === undefined ? {} : { json }).catch(() => undefined);
    if (res && res.status < 500 && res.status !== 429) return res;
    if (attempt >= tries) throw new Error(`${method} ${path}: ${res?.status ?? 'no answer'} after ${attempt} tries`);
    await sleep(retryAfterMs(res?.headers, Math.min(250 * 2 ** attempt, 2000)));
  }
}

export interface ChunkSend {
  client: TestClient;
  plan: Plan;
  data: Buffer;
  index: number;
  /** Base URL of the workers (or of a proxy in front of them). */
  base: string;
  random: () => number;
  problems: string[];
  maxAttempts?: number;
}

export interface ChunkResult {
  /** `closed`: the upload ended meanwhile (completed by other lanes, cancelled) or the chunk was refused for good. */
  outcome: 'ok' | 'closed';
  /** From the first attempt to the last answer: the latency a user sees, retries included. */
  ms: number;
  attempts: number;
  /** The chunk's length. */
  bytes: number;
  /** 429 answers met on the way. */
  throttled: number;
}

/** One chunk PUT, retried with jittered backoff on 5xx and network errors, renewing the token on 401. */
export async function sendChunk(send: ChunkSend): Promise<ChunkResult> {
  const { plan, data, index } = send;
  const started = performance.now();
  const body = data.subarray(index * plan.chunkSize, Math.min(data.length, (index + 1) * plan.chunkSize));
  const digest = sha256(body);
  const path = new URL(`${plan.uploadUrl}/chunks/${index}`).pathname;
  const answers: string[] = [];
  const maxAttempts = send.maxAttempts ?? 30;
  let throttled = 0;
  const result = (outcome: ChunkResult['outcome'], attempts: number): ChunkResult => ({
    outcome,
    ms: performance.now() - started,
    attempts,
    bytes: body.length,
    throttled,
  });
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const res = await fetch(`${send.base}${path}`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${plan.uploadToken}`,
        'content-type': 'application/octet-stream',
        'x-chunk-sha256': digest,
      },
      body,
      signal: AbortSignal.timeout(10_000),
    }).catch((err: Error & { cause?: { code?: string } }) => err);
    const status = res instanceof Response ? res.status : 0;
    const text =
      res instanceof Response ? await res.text().catch(() => '') : `${res.name} ${res.cause?.code ?? res.message}`;
    answers.push(`${status} ${text.slice(0, 120)}`);
    if (status === 200) return result('ok', attempt + 1);
    if (status === 409 && text.includes('"failed_precondition"')) return result('closed', attempt + 1);
    if (status === 401) {
      // Renew the token the way the web app does: read the upload again.
      const fresh = await gatewayCall(send.client, 'GET', `/uploads/${plan.uploadId}`);
      const token = (fresh.body as { uploadToken?: string }).uploadToken;
      if (token) plan.uploadToken = token;
      continue;
    }
    const backoff = Math.min(200 * 2 ** attempt, 3000) * (0.5 + send.random());
    if (status === 429) {
      throttled += 1;
      await sleep(retryAfterMs(res instanceof Response ? res.headers : undefined, backoff));
      continue;
    }
    if (status !== 0 && status < 500) {
      send.problems.push(`upload ${plan.uploadId} chunk ${index}: unexpected ${status} ${text.slice(0, 200)}`);
      return result('closed', attempt + 1);
    }
    await sleep(backoff);
  }
  send.problems.push(
    `upload ${plan.uploadId} chunk ${index}: no success after ${maxAttempts} attempts: ${answers.join(' | ')}`,
  );
  return result('closed', maxAttempts);
}
