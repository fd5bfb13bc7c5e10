import type { FileTask } from './file-task.ts';
import type { OverallRate } from './overall-rate.ts';
import type { EngineSnapshot, FileProgress, FileStatus, NetworkWait } from './types.ts';

/** Files still expected to move bytes: the ETA counts their remaining bytes. */
const MOVING: ReadonlySet<FileStatus> = new Set(['queued', 'preparing', 'uploading']);

/** The snapshot before any file is added. */
export const EMPTY_SNAPSHOT: EngineSnapshot = Object.freeze({
  files: Object.freeze([]),
  totalBytes: 0,
  bytesAcked: 0,
  bytesInFlight: 0,
  pausedBytes: 0,
  percent: 0,
  speedBytesPerSecond: 0,
  etaSeconds: null,
});

function sameProgress(a: FileProgress, b: FileProgress): boolean {
  const keys = Object.keys(a) as (keyof FileProgress)[];
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/**
 * The engine's state at `now` as an immutable snapshot. File entries equal to the previous ones
 * keep their identity, and when nothing changed the previous snapshot itself is returned. The
 * overall speed is `rate`'s smoothing of the files' speeds; the ETA counts the files still
 * expected to move (paused ones are shown apart, as `pausedBytes`).
 */
export function buildSnapshot(
  tasks: readonly FileTask[],
  now: number,
  previous: EngineSnapshot,
  waiting: NetworkWait | undefined,
  rate: OverallRate,
): EngineSnapshot {
  const files = tasks.map((task) => {
    const next = task.progress(now, waiting);
    if (task.published && sameProgress(task.published, next)) return task.published;
    task.published = Object.freeze(next);
    return task.published;
  });

  let totalBytes = 0;
  let bytesAcked = 0;
  let bytesInFlight = 0;
  let speed = 0;
  let remaining = 0;
  let pausedBytes = 0;
  let counted = 0;
  let finished = 0;
  for (const file of files) {
    if (file.status === 'cancelled') continue;
    counted++;
    totalBytes += file.size;
    bytesAcked += file.bytesAcked;
    bytesInFlight += file.bytesInFlight;
    speed += file.speedBytesPerSecond;
    if (MOVING.has(file.status)) remaining += file.size - file.bytesAcked;
    if (file.status === 'paused') pausedBytes += file.size - file.bytesAcked;
    if (file.percent >= 100) finished++;
  }
  const percent = totalBytes > 0 ? (bytesAcked * 100) / totalBytes : counted > 0 && finished === counted ? 100 : 0;
  speed = rate.update(now, speed);
  const etaSeconds = speed > 0 ? Math.ceil(remaining / speed) : null;

  const unchanged =
    files.length === previous.files.length &&
    files.every((file, i) => file === previous.files[i]) &&
    totalBytes === previous.totalBytes &&
    bytesAcked === previous.bytesAcked &&
    bytesInFlight === previous.bytesInFlight &&
    pausedBytes === previous.pausedBytes &&
    percent === previous.percent &&
    speed === previous.speedBytesPerSecond &&
    etaSeconds === previous.etaSeconds;
  if (unchanged) return previous;
  return Object.freeze({
    files: Object.freeze(files),
    totalBytes,
    bytesAcked,
    bytesInFlight,
    pausedBytes,
    percent,
    speedBytesPerSecond: speed,
    etaSeconds,
  });
}
