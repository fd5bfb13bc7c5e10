import { randomBytes } from 'node:crypto';
import type { ChunkResult } from './client.ts';
import type { AuditedUser, Finished } from './end-state.ts';
import type { Draw } from './random.ts';
import { type Outcome, runUpload } from './upload.ts';

/** One chunk an honest user sent: when its last answer came, how long it took, and whether it landed. */
export interface ChunkSample {
  at: number;
  ms: number;
  bytes: number;
  ok: boolean;
}

export interface HonestUser extends AuditedUser {
  finished: Finished[];
  outcomes: Record<Outcome, number>;
}

export interface HonestLoop {
  user: HonestUser;
  /** Where chunks go (the workers). */
  base: string;
  minFileBytes: number;
  maxFileBytes: number;
  /** Chunk requests in flight per upload, as the web app sends them (4 by default there). */
  lanes: number;
  /** Checked before each new upload; uploads under way finish. */
  stopped: () => boolean;
  deadline: number;
  draw: Draw;
  samples: ChunkSample[];
  problems: string[];
  log: (line: string) => void;
}

/** An honest user uploading file after file until stopped; every chunk's answer becomes a sample. */
export async function honestUploads(loop: HonestLoop): Promise<void> {
  const { user, draw } = loop;
  for (let n = 0; !loop.stopped(); n++) {
    const data = randomBytes(draw.between(loop.minFileBytes, loop.maxFileBytes));
    const result = await runUpload({
      client: user.client,
      data,
      fileName: `honest-${n}.bin`,
      idempotencyKey: `honest-${user.userId}-${n}`,
      base: loop.base,
      lanes: loop.lanes,
      duplicateShare: 0,
      transfer: 'relay',
      cancel: false,
      deadline: loop.deadline,
      draw,
      problems: loop.problems,
      log: loop.log,
      onChunk: (r: ChunkResult) =>
        loop.samples.push({ at: Date.now(), ms: r.ms, bytes: r.bytes, ok: r.outcome === 'ok' }),
    }).catch((err: Error) => {
      loop.problems.push(`honest upload ${user.userId}/${n}: ${err.message}`);
      return { outcome: 'lost' as const, size: data.length };
    });
    user.outcomes[result.outcome] += 1;
    if (result.outcome === 'completed' && result.uploadId && result.fileId)
      user.finished.push({ uploadId: result.uploadId, fileId: result.fileId, size: result.size });
  }
}

export interface WindowStats {
  /** Acknowledged chunk bytes per second. */
  bytesPerSecond: number;
  chunks: number;
  /** Nearest-rank 99th percentile of the acknowledged chunks' latency (retries included), ms. */
  p99Ms: number;
}

/** Throughput and latency of the chunks acknowledged inside any of the [from, to) windows. */
export function windowStats(
  samples: readonly ChunkSample[],
  windows: ReadonlyArray<readonly [number, number]>,
): WindowStats {
  const inside = samples.filter((s) => s.ok && windows.some(([from, to]) => s.at >= from && s.at < to));
  const bytes = inside.reduce((sum, s) => sum + s.bytes, 0);
  const duration = windows.reduce((sum, [from, to]) => sum + Math.max(0, to - from), 0);
  const sorted = inside.map((s) => s.ms).sort((a, b) => a - b);
  const rank = Math.max(0, Math.ceil(0.99 * sorted.length) - 1);
  return {
    bytesPerSecond: duration > 0 ? (bytes * 1000) / duration : 0,
    chunks: inside.length,
    p99Ms: Math.round(sorted[rank] ?? 0),
  };
}
