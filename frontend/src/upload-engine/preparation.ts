import type { ChunkTarget, ChunkTransport } from './chunk-transport.ts';
import { isNetworkFailure, isThrottled, isTransient, retryAfterOf } from './errors.ts';
import type { ChunkSession } from './file-task.ts';
import { fingerprint } from './fingerprint.ts';
import {
  ApiError,
  type Hasher,
  type ResumeStore,
  type ServerUploadState,
  type UploadServer,
  type UploadSource,
} from './types.ts';

/** What preparing a file found: where its chunks go and which ones the server already holds. */
export interface Prepared {
  session: ChunkSession;
  received: readonly number[];
}

/** What preparing needs from the engine. */
export interface PreparationContext {
  server: UploadServer;
  store: ResumeStore;
  hasher: Hasher;
  maxAttempts: number;
  now(): number;
  /** Delay before retry number `tries` of an API call. */
  backoff(tries: number, retryAfterSeconds: number | undefined): number;
  sleep(ms: number): Promise<void>;
  /** An API call got no answer at all. */
  networkFailed(): void;
  /** An API call got an HTTP answer: the network carries traffic. */
  networkAnswered(): void;
  /** Resolves once the device is online (at once when it is). */
  whenOnline(): Promise<void>;
  /** Resolves when the network is back after an outage. */
  nextOnline(): Promise<void>;
  /** The file was cancelled or the engine disposed: stop at the next step. */
  abandoned(): boolean;
  /** The fingerprint, as soon as it is known (cancel forgets the resume entry by it). */
  onFingerprint(key: string): void;
  /** The transport for the mode the server chose (throws for a target it cannot use). */
  transportFor(target: ChunkTarget): ChunkTransport;
}

/** 429 `too_many_uploads`: the user must finish or cancel uploads first; waiting would not help. */
function isUploadCap(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'too_many_uploads';
}

/**
 * Runs an API call, retrying network failures, 408, 429 and 5xx with backoff. Only 408 and 5xx
 * count towards `maxAttempts`: without a network (or told to slow down) it waits for as long as
 * it takes, and while the device is offline it does not even try.
 */
export async function withApiRetry<T>(context: PreparationContext, call: () => Promise<T>): Promise<T> {
  let attempts = 0;
  for (let tries = 1; ; tries++) {
    try {
      const result = await call();
      context.networkAnswered();
      return result;
    } catch (error) {
      const network = isNetworkFailure(error);
      if (network) context.networkFailed();
      else context.networkAnswered();
      if (!isTransient(error) || isUploadCap(error) || context.abandoned()) throw error;
      if (!network && !isThrottled(error) && ++attempts >= context.maxAttempts) throw error;
      const pause = context.sleep(context.backoff(tries, retryAfterOf(error)));
      // Back online (the `online` event, or another request got an answer): try again at once.
      await (network ? Promise.race([pause, context.nextOnline()]) : pause);
      await context.whenOnline();
    }
  }
}

/** Whether the server's chunk plan is the one for a file of `size` bytes. */
function planFits(state: ServerUploadState, size: number): boolean {
  return state.chunkSize > 0 && state.totalChunks === Math.max(1, Math.ceil(size / state.chunkSize));
}

/**
 * Continues a remembered upload when the server still takes its chunks (or is already assembling
 * it); undefined when a new upload is needed (gone, finished, ended, or planned for other bytes).
 */
async function tryResume(
  context: PreparationContext,
  source: UploadSource,
  uploadId: string,
): Promise<Prepared | undefined> {
  let state: ServerUploadState;
  try {
    state = await withApiRetry(context, () => context.server.getUpload(uploadId));
  } catch (error) {
    // Gone (404) or refused for good: start afresh. Still unreachable: fail, keeping the entry.
    if (!isTransient(error)) return undefined;
    throw error;
  }
  if (!planFits(state, source.size)) return undefined;
  // The mode the upload was opened with; a relay upload also needs its fresh token.
  if (state.status === 'uploading' && canSend(state)) {
    return { session: sessionOf(context, state), received: state.receivedIndexes };
  }
  if (state.status === 'assembling') {
    return {
      session: sessionOf(context, state),
      received: Array.from({ length: state.totalChunks }, (_, index) => index),
    };
  }
  return undefined;
}

/** Whether the server said enough to send chunks: a relay upload needs the uploads URL and a token. */
function canSend(target: ChunkTarget): boolean {
  return target.transfer === 'direct' || Boolean(target.uploadUrl && target.uploadToken);
}

/** The session for an upload the server described (open answer, or `GET /uploads/:id`). */
function sessionOf(
  context: PreparationContext,
  plan: ChunkTarget & { chunkSize: number; totalChunks: number },
): ChunkSession {
  return {
    uploadId: plan.uploadId,
    chunkSize: plan.chunkSize,
    totalChunks: plan.totalChunks,
    transport: context.transportFor(plan),
    verifiesSha256: plan.transfer !== undefined,
  };
}

/**
 * Fingerprints the file, resumes the upload remembered for it when the server still has it, or
 * opens a new one and remembers that. Undefined when abandoned before an upload was chosen.
 */
export async function prepareUpload(context: PreparationContext, source: UploadSource): Promise<Prepared | undefined> {
  const key = await fingerprint(source, context.hasher);
  context.onFingerprint(key);
  if (context.abandoned()) return undefined;

  const entry = await context.store.get(key).catch(() => undefined);
  if (entry) {
    const resumed = await tryResume(context, source, entry.uploadId);
    if (resumed) return resumed;
    await context.store.delete(key).catch(() => undefined);
    if (context.abandoned()) return undefined;
  }

  // One key for every retry of this open: a retry after a lost answer gets the same upload back.
  const idempotencyKey = crypto.randomUUID();
  const plan = await withApiRetry(context, () =>
    context.server.openUpload({
      fileName: source.name,
      size: source.size,
      ...(source.type ? { contentType: source.type } : {}),
      idempotencyKey,
    }),
  );
  await context.store.put(key, { uploadId: plan.uploadId, savedAt: context.now() }).catch(() => undefined);
  if (!canSend(plan)) throw new Error('the server gave no upload URL for a relay upload');
  return { session: sessionOf(context, plan), received: [] };
}
