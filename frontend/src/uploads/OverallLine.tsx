import { formatBytes, formatDuration } from '../format.ts';
import type { EngineSnapshot } from '../upload-engine/index.ts';
import { summarize } from './upload-status.ts';

/**
 * The session at a glance: confirmed bytes and percent; speed and time left only while something
 * moves (the ETA counts the moving files, paused bytes are named apart); a plain "done" after.
 */
export function OverallLine({ snapshot }: { snapshot: EngineSnapshot }) {
  const summary = summarize(snapshot);
  const parts = [`${formatBytes(snapshot.bytesAcked)} of ${formatBytes(snapshot.totalBytes)}`, `${summary.percent}%`];
  if (summary.sending > 0 && snapshot.speedBytesPerSecond > 0) {
    parts.push(`${formatBytes(snapshot.speedBytesPerSecond)}/s`, `${formatDuration(snapshot.etaSeconds)} left`);
  }
  if (snapshot.pausedBytes > 0) parts.push(`${formatBytes(snapshot.pausedBytes)} paused`);
  if (summary.sending === 0 && summary.paused === 0) {
    parts.push(summary.failed > 0 ? `${summary.failed} failed` : 'all done');
  }
  return <p className="overall">Overall: {parts.join(' · ')}</p>;
}
