import { formatBytes } from '../format.ts';
import type { EngineSnapshot, FailureReason, FileProgress, FileStatus } from '../upload-engine/index.ts';

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

/** A failure in plain words, and whether trying again can help. */
export interface FailureText {
  message: string;
  retry: boolean;
}

const FAILURE_TEXT: Record<FailureReason, FailureText> = {
  server: { message: 'The server had a problem and kept refusing this file', retry: true },
  refused: { message: 'The server refused this file', retry: false },
  session: { message: 'Your session ended — sign in, then retry', retry: true },
  gone: { message: 'This upload ended on the server (expired or cancelled)', retry: true },
  file_changed: { message: 'The file changed since this upload started', retry: true },
  checksum: { message: 'The file changed while uploading or was corrupted', retry: true },
  unreadable: { message: 'The file could not be read from this device', retry: false },
  too_large: { message: 'This file is too large', retry: false },
  quota: { message: 'Not enough storage space left', retry: true },
  too_many_uploads: { message: 'Too many uploads in progress — finish or cancel some first', retry: true },
  connection: { message: 'Connection lost', retry: true },
  other: { message: 'Something went wrong with this file', retry: true },
};

/** What a failed row says, in plain words; the technical detail stays in `file.error`. */
export function failureText(file: FileProgress): FailureText {
  return FAILURE_TEXT[file.failure ?? 'other'];
}

/** The limits a file is checked against before anything is sent. */
export interface StorageLimits {
  usedBytes: number;
  /** 0: no quota. */
  quotaBytes: number;
  maxFileBytes: number;
}

/**
 * Why a picked file cannot be uploaded, in plain words with the numbers, before any chunk is
 * sent; `pendingBytes`: what the files already accepted in this batch will take.
 */
export function precheck(size: number, limits: StorageLimits, pendingBytes = 0): string | undefined {
  if (size > limits.maxFileBytes) return `Too large: files may be at most ${formatBytes(limits.maxFileBytes)}`;
  if (limits.quotaBytes === 0) return undefined;
  const free = Math.max(0, limits.quotaBytes - limits.usedBytes - pendingBytes);
  if (size > free) {
    return `Not enough space: ${formatBytes(size)} needed, ${formatBytes(free)} free of ${formatBytes(limits.quotaBytes)}`;
  }
  return undefined;
}
