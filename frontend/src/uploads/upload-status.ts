import type { EngineSnapshot, FileProgress, FileStatus } from '../upload-engine/index.ts';

const STATUS_TEXT: Record<FileStatus, string> = {
  queued: 'Queued',
  preparing: 'Preparing',
  uploading: 'Uploading',
  paused: 'Paused',
  processing: 'Processing',
  completed: 'Complete',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** Statuses of files that still move bytes or wait for their turn to. */
const SENDING: ReadonlySet<FileStatus> = new Set(['queued', 'preparing', 'uploading', 'processing']);

/**
 * What a row says: the status, or why nothing moves for a sending file — the network (never a
 * failure), or its turn behind the files before it ("Queued", not "Uploading · 0 B/s").
 */
export function statusText(file: FileProgress): string {
  if (file.waiting === 'offline') return 'Offline — will resume';
  if (file.waiting === 'network') return 'Waiting for network…';
  if (file.waiting === 'queue') return STATUS_TEXT.queued;
  return STATUS_TEXT[file.status];
}

/** A file still moving bytes (or waiting for its turn to): the tab stays busy, closing it warns. */
export function isSending(file: FileProgress): boolean {
  return SENDING.has(file.status);
}

/** What the overall summary shows: counts, and whether anything is still sending. */
export interface OverallSummary {
  sending: number;
  paused: number;
  failed: number;
  completed: number;
  /** Whole percent of acknowledged bytes, floored: 100 only when every byte is confirmed. */
  percent: number;
}

export function summarize(snapshot: EngineSnapshot): OverallSummary {
  const count = (test: (file: FileProgress) => boolean) => snapshot.files.filter(test).length;
  return {
    sending: count(isSending),
    paused: count((f) => f.status === 'paused'),
    failed: count((f) => f.status === 'failed'),
    completed: count((f) => f.status === 'completed'),
    percent: Math.floor(snapshot.percent),
  };
}
