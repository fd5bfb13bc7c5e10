import { createHash } from 'node:crypto';
import type { TestClient } from '@lfusys/testkit';

export interface UploadPlan {
  uploadId: string;
  chunkSize: number;
  totalChunks: number;
  uploadUrl: string;
  uploadToken: string;
}

/** Base64 SHA-256: a chunk's `x-chunk-sha256`. */
export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');
/** Hex SHA-256: a whole file's declared hash (`sha256` at `POST /uploads`), verified at assembly. */
export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export function chunkOf(file: Buffer, plan: Pick<UploadPlan, 'chunkSize'>, index: number): Buffer {
  return file.subarray(index * plan.chunkSize, Math.min(file.length, (index + 1) * plan.chunkSize));
}

/** What a browser does for one chunk. */
export function putChunk(
  plan: Pick<UploadPlan, 'uploadUrl' | 'uploadToken'>,
  index: number | string,
  body: Uint8Array,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${plan.uploadUrl}/chunks/${index}`, {
    method: 'PUT',
    headers: {
      authorization: `Bearer ${plan.uploadToken}`,
      'content-type': 'application/octet-stream',
      'x-chunk-sha256': sha256(body),
      ...headers,
    },
    body,
  });
}

/**
 * What the web app's engine does with a 5xx or a dropped connection: back off and send the chunk
 * again. Returns every attempt's status (0 = no answer) and the last answer's body.
 */
export async function putWithRetry(
  plan: UploadPlan,
  file: Buffer,
  index: number,
  attempts = 6,
): Promise<{ statuses: number[]; body: unknown }> {
  const statuses: number[] = [];
  let body: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const status = await putChunk(plan, index, chunkOf(file, plan, index)).then(
      async (res) => {
        body = await res.json().catch(() => undefined);
        return res.status;
      },
      () => 0,
    );
    statuses.push(status);
    if (status === 200 || (status >= 400 && status < 500)) break;
    await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
  }
  return { statuses, body };
}

/** Sends `indexes` (in that order, repeats allowed) over `connections` parallel lanes; throws on any non-200. */
/**
 * Sends the chunks over `connections` lanes, as a client does: a 503 `unavailable` (storage or
 * sessions had a hiccup: moto under load resets a connection now and then) is sent again after its
 * Retry-After, at most twice; any other answer but 200 fails.
 */
export async function sendChunks(plan: UploadPlan, file: Buffer, indexes: number[], connections: number) {
  const queue = [...indexes];
  const lane = async () => {
    for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
      for (let attempt = 1; ; attempt++) {
        const res = await putChunk(plan, index, chunkOf(file, plan, index));
        if (res.status === 200) {
          await res.arrayBuffer();
          break;
        }
        const body = await res.text();
        if (res.status !== 503 || attempt === 3) throw new Error(`chunk ${index}: ${res.status} ${body}`);
        await new Promise((resolve) => setTimeout(resolve, 1000 * Number(res.headers.get('retry-after') ?? 1)));
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, lane));
}

export function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export interface UploadView {
  upload: { status: string; fileId?: string; receivedChunks: number; failureReason?: string };
  receivedIndexes: number[];
}

/** Polls GET /uploads/:id until it reaches `status` (what the web app does after the last chunk). */
export async function waitForUpload(client: TestClient, uploadId: string, status: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.get(`/uploads/${uploadId}`);
    const view = res.body as UploadView;
    if (res.status === 200 && view.upload.status === status) return view;
    if (Date.now() > deadline) throw new Error(`upload ${uploadId} is ${res.status} ${res.text}, not ${status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
