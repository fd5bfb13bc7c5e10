import type { ChunkToPrepare, ChunkToSend, ChunkTransport, TransportDeps } from './chunk-transport.ts';
import { abortError } from './errors.ts';
import { type BatchOutcome, RequestBatcher } from './request-batcher.ts';
import { ApiError, type ChunkResponse, type PartsConfirmation, type PartToSign, type SignedPart } from './types.ts';

/** A URL is not used later than this before its `expiresAt` (by the device's clock)… */
export const URL_EXPIRY_MARGIN_MS = 60_000;
/** …but always for this long after it arrived: a device clock running fast must not void every fresh URL. */
export const URL_MIN_USE_MS = 60_000;
/** The server signs for at most 15 minutes (DESIGN.md §9.1): a device clock running slow must not stretch that. */
const URL_MAX_LIFE_MS = 15 * 60_000;

interface CachedUrl {
  readonly part: SignedPart;
  readonly sha256: string;
  readonly length: number;
  /** Device-clock time after which the URL is signed again rather than used. */
  readonly usableUntil: number;
}

/** A signing request in flight, for the bytes it was asked for. */
interface PendingUrl {
  readonly sha256: string;
  readonly length: number;
  readonly part: Promise<SignedPart>;
}

/**
 * Stored parts a confirmation waits for while other parts of the upload are still being PUT: each
 * confirmation costs the server a storage listing and a write whatever its size, so eight parts
 * confirmed together cost about what one does. With no PUT in progress it leaves at once.
 */
export const CONFIRM_BATCH = 8;
/** …but a stored part waits no longer than this for the batch to fill (a PUT may hang on a dying link). */
export const CONFIRM_HOLD_MS = 1000;

/** A signal that never aborts: a URL signed ahead belongs to no one request. */
const NEVER = new AbortController().signal;

/**
 * Parts straight to storage (DESIGN.md §9.1). For each chunk: a presigned `UploadPart` URL with the
 * chunk's SHA-256 signed in (asked ahead for the chunks about to leave — see {@link prepare} — or
 * else just in time, batched with the other chunks about to leave),
 * the PUT to storage with exactly the headers the server listed, then the confirmation that makes
 * the server check the part in storage and record it (batched likewise, and held while other PUTs
 * run until {@link CONFIRM_BATCH} parts can go together, for at most {@link CONFIRM_HOLD_MS}; the chunk's request slot is handed on
 * meanwhile, see `onStored`). Only the confirmation
 * counts as acknowledged: storage's 200 alone is not yet a recorded part, and the bar never moves
 * backwards. A URL near its expiry is signed again before use, and a 403 from storage (expired by
 * its clock, or refused) signs it again once.
 */
export class DirectTransport implements ChunkTransport {
  readonly mode = 'direct';
  readonly version = 0;
  private readonly urls = new Map<number, CachedUrl>();
  private readonly signing = new Map<number, PendingUrl>();
  /** Parts storage answered 200 for, with that hash, not confirmed yet: sending them again only confirms. */
  private readonly stored = new Map<number, string>();
  private readonly signer: RequestBatcher<PartToSign, SignedPart>;
  private readonly confirmer: RequestBatcher<number, PartsConfirmation>;
  /** PUTs to storage in progress: while there are some, confirmations wait for a fuller batch. */
  private putting = 0;
  /** Runs from when a stored part starts waiting for a fuller batch until the next confirmation leaves. */
  private holdTimer: unknown;
  private holdExpired = false;
  /** Every chunk has been started: what is stored waits for the PUTs in flight, however many. */
  private lastOut = false;

  constructor(
    private readonly deps: TransportDeps,
    readonly uploadId: string,
  ) {
    this.signer = new RequestBatcher(
      (parts) =>
        perPart(
          parts.map((p) => p.index),
          async () => {
            const signed = await deps.server.signParts(uploadId, parts);
            return new Map(signed.map((part): [number, BatchOutcome<SignedPart>] => [part.index, { ok: part }]));
          },
        ),
      (part) => part.index,
    );
    this.confirmer = new RequestBatcher(
      (indexes) =>
        perPart(indexes, async () => {
          this.endHold();
          const confirmation = await deps.server.confirmParts(uploadId, indexes);
          return new Map(
            indexes.map((index): [number, BatchOutcome<PartsConfirmation>] => [index, { ok: confirmation }]),
          );
        }),
      (index) => index,
      (waiting) => this.holdConfirmations(waiting),
    );
  }

  /**
   * Whether `waiting` stored parts wait for more: while other PUTs run, up to a batch (or, once
   * every chunk is out, until they end) and a time bound.
   */
  private holdConfirmations(waiting: number): boolean {
    if (this.putting === 0 || this.holdExpired || (waiting >= CONFIRM_BATCH && !this.lastOut)) return false;
    this.holdTimer ??= this.deps.clock.setTimeout(() => {
      this.holdExpired = true;
      this.confirmer.release();
    }, CONFIRM_HOLD_MS);
    return true;
  }

  private endHold(): void {
    if (this.holdTimer !== undefined) this.deps.clock.clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
    this.holdExpired = false;
  }

  async send(chunk: ChunkToSend): Promise<ChunkResponse> {
    if (chunk.lastOut) this.lastOut = true;
    try {
      if (this.stored.get(chunk.index) !== chunk.sha256) {
        const put = await this.putOnce(chunk);
        if (put.status < 200 || put.status >= 300) return put;
        this.stored.set(chunk.index, chunk.sha256);
      }
      // The slot is free for the next chunk while this one is confirmed (with others, held below).
      chunk.onStored?.();
      const confirmation = await this.confirmer.submit(chunk.index, chunk.signal);
      this.stored.delete(chunk.index);
      return { status: 200, complete: confirmation.complete };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // 409 `aborted`: storage lacks the part or holds other bytes; the next attempt PUTs it again.
      if (error.code === 'aborted') this.stored.delete(chunk.index);
      return responseOf(error);
    }
  }

  /** Signs the chunk's URL now unless one is cached or being signed for these bytes, or the part is stored. */
  prepare(chunk: ChunkToPrepare): void {
    if (this.stored.get(chunk.index) === chunk.sha256 || this.cachedUrl(chunk)) return;
    this.sign(chunk).catch(() => {
      // Only a hint: the chunk's own send signs again and meets the error itself.
    });
  }

  refresh(): void {
    // Nothing to renew: every URL is signed for one part and asked for when needed.
  }

  /**
   * One PUT of the chunk (signed again once on 403), counted in `putting` while it runs. When it
   * fails, held confirmations may have waited for it: they are looked at again. When it succeeds
   * the caller's confirmation request does that, and joins them.
   */
  private async putOnce(chunk: ChunkToSend): Promise<ChunkResponse> {
    this.putting++;
    let ok = false;
    try {
      const response = await this.putPart(chunk);
      ok = response.status >= 200 && response.status < 300;
      return response;
    } finally {
      this.putting--;
      if (!ok) this.confirmer.release();
    }
  }

  private async putPart(chunk: ChunkToSend): Promise<ChunkResponse> {
    for (let resigned = false; ; resigned = true) {
      const part = await this.urlFor(chunk);
      const response = await this.deps.server.put({
        url: part.url,
        headers: part.headers,
        body: chunk.body,
        signal: chunk.signal,
        onProgress: chunk.onProgress,
      });
      // 403: expired by storage's clock, or refused. One fresh URL; refused again is the answer.
      if (response.status === 403 && !resigned) {
        this.urls.delete(chunk.index);
        continue;
      }
      if (response.status !== 403 && response.status < 500) this.urls.delete(chunk.index);
      return response;
    }
  }

  /**
   * A URL for the chunk's bytes: the one cached for them while it is fresh, else the one being
   * signed for them, else a newly signed one.
   */
  private async urlFor(chunk: ChunkToSend): Promise<SignedPart> {
    const wanted = { index: chunk.index, sha256: chunk.sha256, length: chunk.body.size };
    const cached = this.cachedUrl(wanted);
    if (cached) return cached;
    return untilAborted(this.sign(wanted), chunk.signal);
  }

  private cachedUrl(chunk: ChunkToPrepare): SignedPart | undefined {
    const cached = this.urls.get(chunk.index);
    if (
      cached &&
      cached.sha256 === chunk.sha256 &&
      cached.length === chunk.length &&
      this.deps.clock.now() < cached.usableUntil
    ) {
      return cached.part;
    }
    this.urls.delete(chunk.index);
    return undefined;
  }

  /** Signs a URL for the chunk's bytes, or joins the signing already asked for them. */
  private sign(chunk: ChunkToPrepare): Promise<SignedPart> {
    const pending = this.signing.get(chunk.index);
    if (pending && pending.sha256 === chunk.sha256 && pending.length === chunk.length) return pending.part;
    const { index, sha256, length } = chunk;
    const part = this.signer.submit({ index, sha256, length }, NEVER).then((signed) => {
      const receivedAt = this.deps.clock.now();
      this.urls.set(index, { part: signed, sha256, length, usableUntil: usableUntil(signed, receivedAt) });
      return signed;
    });
    const forget = () => {
      if (this.signing.get(index)?.part === part) this.signing.delete(index);
    };
    part.then(forget, forget);
    this.signing.set(index, { sha256, length, part });
    return part;
  }
}

/** `promise`, or an AbortError as soon as `signal` aborts (the promise itself runs on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** When a URL received at `receivedAt` stops being used (see the constants above). */
export function usableUntil(part: SignedPart, receivedAt: number): number {
  const expires = Date.parse(part.expiresAt);
  const left = Number.isNaN(expires) ? 0 : expires - receivedAt - URL_EXPIRY_MARGIN_MS;
  return receivedAt + Math.min(URL_MAX_LIFE_MS - URL_EXPIRY_MARGIN_MS, Math.max(URL_MIN_USE_MS, left));
}

/**
 * Runs a batch call. A refusal naming one part (`details.index`, e.g. 409 `aborted`: nothing was
 * recorded) fails that part only and sends the others again; any other failure fails them all.
 */
export async function perPart<R>(
  indexes: readonly number[],
  call: () => Promise<Map<number, BatchOutcome<R>>>,
): Promise<Map<number, BatchOutcome<R>>> {
  try {
    return await call();
  } catch (error) {
    const named = error instanceof ApiError ? error.details?.index : undefined;
    if (typeof named !== 'number' || !indexes.includes(named) || indexes.length === 1) throw error;
    return new Map(indexes.map((index): [number, BatchOutcome<R>] => [index, index === named ? { error } : 'again']));
  }
}

function responseOf(error: ApiError): ChunkResponse {
  const response: ChunkResponse = { status: error.status, code: error.code };
  if (error.retryAfterSeconds !== undefined) response.retryAfterSeconds = error.retryAfterSeconds;
  return response;
}
