import type { TestClient } from '@lfusys/testkit';
import { type ChunkResult, gatewayCall, type Plan, sendChunk, sha256, sha256Hex, sleep } from './client.ts';
import { sendDirectPart } from './direct-part.ts';
import type { Draw } from './random.ts';

export type Outcome = 'completed' | 'failed' | 'cancelled' | 'lost';

/** One upload as a client drives it: open, chunks over parallel lanes, then wait for the end state. */
export interface UploadSpec {
  client: TestClient;
  data: Buffer;
  fileName: string;
  /** Sent on every retry of the open (as the web app does), so a retry cannot open a second upload. */
  idempotencyKey: string;
  /** Where relayed chunks go: the workers, or a fault proxy in front of them. */
  base: string;
  /** `direct`: parts PUT to storage on presigned URLs, then confirmed (DESIGN §9.1). */
  transfer: 'relay' | 'direct';
  /** Chunk requests in flight at once for this upload. */
  lanes: number;
  /** Share of chunks sent a second time (duplicates must count once). */
  duplicateShare: number;
  /** Cancel halfway through instead of finishing. */
  cancel: boolean;
  /** No waiting for the end state past this instant (ms since the epoch). */
  deadline: number;
  draw: Draw;
  problems: string[];
  log: (line: string) => void;
  onChunk?: (result: ChunkResult) => void;
}

export interface UploadResult {
  outcome: Outcome;
  uploadId?: string;
  fileId?: string;
  size: number;
}

export async function runUpload(spec: UploadSpec): Promise<UploadResult> {
  const { client, data, draw, problems } = spec;
  const size = data.length;
  const opened = await gatewayCall(client, 'POST', '/uploads', {
    fileName: spec.fileName,
    size,
    sha256: sha256Hex(data),
    idempotencyKey: spec.idempotencyKey,
    transfer: spec.transfer,
  });
  if (opened.status !== 201) {
    problems.push(`${spec.fileName}: open answered ${opened.status} ${opened.text.slice(0, 200)}`);
    return { outcome: 'lost', size };
  }
  const plan = opened.body as Plan;
  const indexes = Array.from({ length: plan.totalChunks }, (_, i) => i);
  const queue = [...indexes, ...indexes.filter(() => draw.random() < spec.duplicateShare)].sort(
    () => draw.random() - 0.5,
  );
  const cancelAt = spec.cancel ? Math.floor(queue.length / 2) : -1;
  let sent = 0;
  let cancelled = false;
  const lane = async () => {
    for (let index = queue.shift(); index !== undefined && !cancelled; index = queue.shift()) {
      if (sent === cancelAt) {
        cancelled = true;
        const res = await gatewayCall(client, 'DELETE', `/uploads/${plan.uploadId}`);
        if (res.status !== 204) problems.push(`upload ${plan.uploadId}: cancel answered ${res.status}`);
        return;
      }
      sent += 1;
      const send = spec.transfer === 'direct' ? sendDirectPart : sendChunk;
      const result = await send({ client, plan, data, index, base: spec.base, random: draw.random, problems });
      spec.onChunk?.(result);
      if (result.outcome === 'closed') return;
    }
  };
  await Promise.all(Array.from({ length: spec.lanes }, lane));
  const outcome = await awaitEnd(spec, plan, cancelled);
  return { ...outcome, uploadId: plan.uploadId, size };
}

/** Polls the upload until it ends; a completed one must download with its source's SHA-256. */
async function awaitEnd(spec: UploadSpec, plan: Plan, cancelled: boolean): Promise<Omit<UploadResult, 'size'>> {
  const { client, problems } = spec;
  const until = Math.min(spec.deadline, Date.now() + 120_000);
  for (;;) {
    const res = await gatewayCall(client, 'GET', `/uploads/${plan.uploadId}`);
    const view = res.body as { upload?: { status: string; fileId?: string; failureReason?: string } };
    const status = view.upload?.status;
    if (status === 'completed') {
      const fileId = view.upload?.fileId ?? '';
      const link = await gatewayCall(client, 'GET', `/files/${fileId}/download`);
      const url = (link.body as { url?: string }).url ?? '';
      const stored = await fetch(url).then(async (r) => sha256(Buffer.from(await r.arrayBuffer())));
      if (stored !== sha256(spec.data)) {
        problems.push(`upload ${plan.uploadId}: completed with a different SHA-256`);
        return { outcome: 'lost' };
      }
      return { outcome: 'completed', fileId };
    }
    if (status === 'cancelled' && cancelled) return { outcome: 'cancelled' };
    if (status === 'failed' && view.upload?.failureReason) {
      spec.log(`upload ${plan.uploadId} failed cleanly: ${view.upload.failureReason}`);
      return { outcome: 'failed' };
    }
    if (status === 'cancelled' || status === 'expired' || status === 'failed') {
      problems.push(`upload ${plan.uploadId}: ended ${status} unexpectedly`);
      return { outcome: 'lost' };
    }
    if (Date.now() > until) {
      problems.push(`upload ${plan.uploadId}: still ${status ?? res.status} when time ran out`);
      return { outcome: 'lost' };
    }
    await sleep(500);
  }
}
