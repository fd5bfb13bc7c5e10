import type { DirectApi, PartToSign } from './direct-api.ts';
import { PartConfirmations } from './part-confirmations.ts';
import { PartUrls } from './part-urls.ts';

export interface PartSenderOptions {
  api: DirectApi;
  uploadId: string;
  totalChunks: number;
  concurrency: number;
  /** The bytes of part `index`, for its PUT. */
  readPart(index: number): Promise<Uint8Array>;
  /**
   * Part `index`'s SHA-256 (base64) and length. The bench hashes in a worker thread, as the web
   * app hashes in a Web Worker, so the event loop that sends the PUTs is not blocked by hashing.
   */
  hashPart(index: number): Promise<PartToSign>;
  /** Epoch milliseconds (URL expiry is an absolute time). */
  clock: () => number;
  /** Monotonic milliseconds, for latencies. */
  monotonic: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Tries per part for a PUT that fails otherwise than by a refused URL, and for a confirm that says "resend". */
  maxAttempts?: number;
}

export interface PartSenderResult {
  complete: boolean;
  /** Per part: read + SHA-256 + sign (when not cached) + PUT (the confirmation runs behind it). */
  latenciesMs: number[];
  /** PUTs tried again after an error or a 5xx. */
  retries: number;
  /** URLs signed again after S3 answered 403. */
  resigned: number;
  /** Parts a confirmation sent back ("missing or different") and that were PUT again. */
  resent: number;
  signCalls: number;
  signedParts: number;
  confirmCalls: number;
}

/**
 * Parts per look-ahead signing request, in multiples of the parallelism (the web app's
 * SIGN_AHEAD_BATCH). Two halves the calls of one (each costs sessions a read and a write whatever
 * its size) and still asks the first window's URLs long before the lanes reach them.
 */
const SIGN_AHEAD_BATCH = 2;

/**
 * What a browser does in direct transfer: N lanes, each takes the next part, hashes it, gets its
 * presigned URL (batched with the other lanes'), PUTs the bytes to storage with exactly the signed
 * headers, and moves on while the part is confirmed behind it (batched too): a confirmation costs
 * sessions a ListParts and a write, and a lane that waited for it would leave its connection idle.
 * As the web app's engine does, parts are hashed and their URLs asked ahead of the lanes, a window
 * at a time, so signing runs beside the transfers rather than in front of each (hashing reads
 * the part's bytes on its own, off the event loop, and the lane reads them again for the PUT, as
 * a browser hands its Worker a Blob and re-reads it);
 * confirmations are held while other parts are being PUT until eight can go in one call (for
 * at most a second). Each sign or confirm call costs sessions reads and writes whatever its size,
 * so fewer, larger calls leave storage more time for the bytes.
 * A part the confirmation sends back is read and PUT again. The confirmation that completes the
 * set queues assembly.
 */
export async function sendParts(options: PartSenderOptions): Promise<PartSenderResult> {
  const urls = new PartUrls(options.api, options.uploadId, options.clock);
  let putting = 0;
  let next = 0;
  const confirmations = new PartConfirmations(
    options.api,
    options.uploadId,
    () => putting > 0,
    () => next >= options.totalChunks,
  );
  const stats = { retries: 0, resigned: 0, resent: 0, latenciesMs: [] as number[] };
  const maxAttempts = options.maxAttempts ?? 3;
  const hashes = new Map<number, Promise<PartToSign>>();
  /** A part's hash: asked once, by its lane or by a look-ahead, whichever comes first. */
  const hashOf = (index: number): Promise<PartToSign> => {
    let hash = hashes.get(index);
    if (!hash) {
      hash = options.hashPart(index);
      hashes.set(index, hash);
      // A failure is met again at the part's turn: forget it so that turn asks afresh.
      hash.catch(() => {
        if (hashes.get(index) === hash) hashes.delete(index);
      });
    }
    return hash;
  };
  /**
   * Keeps URLs signed ahead of the lanes, as the web app's ChunkSender does: when fewer than
   * 2 × concurrency of the next parts are hashed, hashes the next 4 × concurrency one after another
   * and asks their URLs 2 × concurrency at a time. A failure is met again at the part's turn.
   */
  const taken = new Set<number>();
  const lookAhead = () => {
    const upcoming: number[] = [];
    for (let index = next; index < Math.min(options.totalChunks, next + 4 * options.concurrency); index++) {
      upcoming.push(index);
    }
    const known = (index: number) => hashes.has(index) || taken.has(index);
    if (upcoming.filter(known).length >= 2 * options.concurrency) return;
    const fresh = upcoming.filter((index) => !known(index));
    for (const index of fresh) taken.add(index);
    (async () => {
      let ready: PartToSign[] = [];
      for (const [at, index] of fresh.entries()) {
        ready.push(await hashOf(index));
        taken.delete(index);
        if (ready.length < SIGN_AHEAD_BATCH * options.concurrency && at < fresh.length - 1) continue;
        // A part whose turn came meanwhile signs its own URL (or already has).
        urls.prefetch(ready.filter((part) => part.index >= next));
        ready = [];
      }
    })().catch(() => {
      for (const index of fresh) taken.delete(index);
    });
  };

  /** PUTs a part, its bytes read while its URL is signed (or taken from the cache). */
  const putOnce = async (signed: PartToSign, reading: Promise<Uint8Array>) => {
    const { index } = signed;
    reading.catch(() => {});
    for (let attempt = 1; ; ) {
      const part = await urls.get(signed);
      const body = await reading;
      putting++;
      const status = await options.api.putPart(part, body).catch((err: unknown) => err as Error);
      putting--;
      // A stored part's confirmation request looks at the held ones; a failed PUT must do it here.
      if (status === 200) return;
      confirmations.release();
      if (status === 403) {
        // Expired or refused signature: sign again (bounded like any other failure).
        urls.invalidate(index);
        stats.resigned++;
      } else stats.retries++;
      const why = status instanceof Error ? status.message : `HTTP ${status}`;
      if (attempt++ >= maxAttempts) throw new Error(`part ${index}: PUT failed ${maxAttempts} times (${why})`);
      if (status !== 403) await options.sleep(500 * attempt);
    }
  };

  /** Confirms a part; one sent back is read, PUT and confirmed again (bounded). */
  const confirm = async (signed: PartToSign) => {
    const { index } = signed;
    for (let attempt = 1; (await confirmations.request(index)) === 'resend'; attempt++) {
      stats.resent++;
      if (attempt >= maxAttempts) throw new Error(`part ${index}: confirm refused it ${attempt} times`);
      await putOnce(signed, options.readPart(index));
    }
  };

  const confirming: Array<Promise<void>> = [];
  const lane = async () => {
    for (let index = next++; index < options.totalChunks; index = next++) {
      const start = options.monotonic();
      const signed = await hashOf(index);
      lookAhead();
      // Read after the hash, not beside it: reads share the thread pool with the hashing thread's.
      await putOnce(signed, options.readPart(index));
      stats.latenciesMs.push(options.monotonic() - start);
      const confirmed = confirm(signed);
      // Observed at once so a failure is not an unhandled rejection while the lanes still run.
      confirmed.catch(() => {});
      confirming.push(confirmed);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.totalChunks) }, lane));
  await Promise.all(confirming);
  return {
    complete: confirmations.complete,
    ...stats,
    signCalls: urls.calls,
    signedParts: urls.signed,
    confirmCalls: confirmations.calls,
  };
}
