import type { Stack, TestClient } from '@lfusys/testkit';
import { now, sleep } from './time.ts';

/** After the last byte: waiting for the upload to complete and the file to be listed, and what sessions logged. */

export interface Completion {
  /** Monotonic time GET /uploads/:id first said completed. */
  completedAt: number;
  /** Monotonic time GET /files first listed the file. */
  listedAt: number;
  fileId: string;
}

/** Asks GET /uploads/:id?wait=20 until completed (a failed, expired or cancelled upload throws), then GET /files until listed. */
export async function waitUntilListed(
  client: TestClient,
  uploadId: string,
  deadline: number,
  pollMs: number,
): Promise<Completion> {
  let completedAt = 0;
  let fileId = '';
  let status = '';
  while (!completedAt) {
    // Held by the server until the status changes (at most 20 s), as the web app asks.
    const asked = now();
    const res = await client.get(`/uploads/${uploadId}?wait=20`);
    const upload = (res.body as { upload?: { status: string; fileId?: string; failureReason?: string } }).upload;
    if (res.status === 200 && upload?.status === 'completed') {
      completedAt = now();
      fileId = upload.fileId ?? '';
    } else if (upload && ['failed', 'expired', 'cancelled'].includes(upload.status)) {
      throw new Error(`upload ${uploadId} ${upload.status}: ${upload.failureReason ?? ''}`);
    } else if (Date.now() > deadline) {
      throw new Error(`upload ${uploadId} not completed in time: ${res.status} ${res.text.slice(0, 300)}`);
    } else {
      // A status that moved is asked about again at once; an answer that came back unchanged
      // before `pollMs` (a server that does not hold) waits out the rest of `pollMs`.
      const moved = upload?.status !== status;
      status = upload?.status ?? '';
      if (!moved) await sleep(Math.max(0, pollMs - (now() - asked)));
    }
  }
  for (;;) {
    const res = await client.get('/files?limit=100');
    const files = (res.body as { files?: Array<{ id: string }> }).files ?? [];
    if (files.some((f) => f.id === fileId)) break;
    if (Date.now() > deadline) throw new Error(`file ${fileId} never listed`);
    await sleep(pollMs);
  }
  return { completedAt, listedAt: now(), fileId };
}

/** The last JSON log line of sessions that names `uploadId` and has message `msg`. */
export function findLogLine(output: string, uploadId: string, msg: string): Record<string, unknown> | undefined {
  const lines = output.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] ?? '';
    if (!line.includes(uploadId) || !line.includes(msg)) continue;
    try {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.msg === msg && parsed.uploadId === uploadId) return parsed;
    } catch {
      // Not JSON (a stack trace line): keep looking.
    }
  }
  return undefined;
}

/** The time sessions logged "upload assembled" for `uploadId` (epoch ms). */
export function assembledAt(stack: Stack, uploadId: string): number | undefined {
  const line = findLogLine(stack.processes.sessions.output(), uploadId, 'upload assembled');
  return typeof line?.time === 'string' ? Date.parse(line.time) : undefined;
}

/**
 * How long sessions spent reading the assembled object back to verify a declared whole-file
 * SHA-256, from its "whole-file sha256 verified" line (`ms`, `bytes`); undefined when nothing was
 * declared (or the line is absent).
 */
export function verificationLogged(stack: Stack, uploadId: string): { ms: number; bytes: number } | undefined {
  const line = findLogLine(stack.processes.sessions.output(), uploadId, 'whole-file sha256 verified');
  if (typeof line?.ms !== 'number' || typeof line.bytes !== 'number') return undefined;
  return { ms: line.ms, bytes: line.bytes };
}
