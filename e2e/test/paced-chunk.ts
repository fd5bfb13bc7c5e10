import { connect, type Socket } from 'node:net';
import { sha256, type UploadPlan } from './chunks.ts';

/** One chunk PUT whose body is sent at a fixed pace over a raw socket, as a slow uplink would. */
export interface PacedChunk {
  /** The answer's status, or null when the server closed the connection without one. */
  status: Promise<number | null>;
  /** Milliseconds from the end of the headers until the answer's status line arrived. */
  answeredAfterMs: Promise<number>;
  /** Milliseconds from the end of the headers until the connection closed. */
  closedAfterMs: Promise<number>;
  /** Closes the connection from the client side (the client leaves). */
  leave(): void;
}

/** The request line and headers of a chunk PUT, as a browser sends them. */
export function chunkHead(plan: Pick<UploadPlan, 'uploadUrl' | 'uploadToken'>, index: number, body: Buffer): string {
  const url = new URL(`${plan.uploadUrl}/chunks/${index}`);
  return [
    `PUT ${url.pathname} HTTP/1.1`,
    `Host: ${url.host}`,
    `Authorization: Bearer ${plan.uploadToken}`,
    'Content-Type: application/octet-stream',
    `Content-Length: ${body.length}`,
    `X-Chunk-Sha256: ${sha256(body)}`,
    '',
    '',
  ].join('\r\n');
}

/**
 * Sends the headers of a chunk PUT, then `body` at `bytesPerSecond` in 10 slices a second (the
 * whole body, or until the server answers or closes the connection).
 */
export function pacedChunk(
  plan: Pick<UploadPlan, 'uploadUrl' | 'uploadToken'>,
  index: number,
  body: Buffer,
  bytesPerSecond: number,
): PacedChunk {
  const url = new URL(`${plan.uploadUrl}/chunks/${index}`);
  const socket: Socket = connect(Number(url.port), url.hostname);
  socket.on('error', () => {});
  let sentHeadersAt = Date.now();
  let answer = '';
  const status = new Promise<number | null>((resolve) => {
    socket.on('data', (data: Buffer) => {
      answer += data.toString('latin1');
      const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (match) resolve(Number(match[1]));
    });
    socket.on('close', () => resolve(null));
  });
  const answeredAfterMs = status.then(() => Date.now() - sentHeadersAt);
  const closedAfterMs = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - sentHeadersAt)));
  socket.on('connect', () => {
    socket.write(chunkHead(plan, index, body));
    sentHeadersAt = Date.now();
    let at = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || answer.length > 0 || at >= body.length) return clearInterval(timer);
      // Sent by the clock, not by slices counted, so a late timer does not slow the pace down.
      const due = Math.min(body.length, Math.round(((Date.now() - sentHeadersAt) * bytesPerSecond) / 1000));
      if (due > at) socket.write(body.subarray(at, due));
      at = Math.max(at, due);
    }, 1000 / 10);
    socket.on('close', () => clearInterval(timer));
  });
  return { status, answeredAfterMs, closedAfterMs, leave: () => socket.destroy() };
}
