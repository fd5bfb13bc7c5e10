import { type ChunkResult, type ChunkSend, gatewayCall, sha256, sleep } from './client.ts';

interface SignedPart {
  url: string;
  headers: Record<string, string>;
}

/**
 * One part of a direct upload (DESIGN §9.1) as a client drives it under faults: sign it, PUT it to
 * storage with exactly the signed headers, confirm it. Each step is retried with jittered backoff
 * on 5xx and network errors; a 403 from storage (an expired or refused URL) signs again; a 409
 * `aborted` from the confirmation (storage does not hold the part as signed) sends it again; a PUT
 * that keeps failing asks the server whether the upload is still uploading. The
 * gateway calls ride through sessions restarts like every other soak call (`gatewayCall`).
 */
export async function sendDirectPart(send: ChunkSend): Promise<ChunkResult> {
  const { plan, data, index } = send;
  const started = performance.now();
  const body = data.subarray(index * plan.chunkSize, Math.min(data.length, (index + 1) * plan.chunkSize));
  const part = { index, sha256: sha256(body), length: body.length };
  const maxAttempts = send.maxAttempts ?? 30;
  const answers: string[] = [];
  const result = (outcome: ChunkResult['outcome'], attempts: number): ChunkResult => ({
    outcome,
    ms: performance.now() - started,
    attempts,
    bytes: body.length,
    throttled: 0,
  });
  let signed: SignedPart | undefined;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (attempt > 0) await sleep(Math.min(200 * 2 ** attempt, 3000) * (0.5 + send.random()));
    if (!signed) {
      const res = await gatewayCall(send.client, 'POST', `/uploads/${plan.uploadId}/parts`, { parts: [part] });
      answers.push(`sign ${res.status}`);
      if (res.status === 409 || res.status === 404) return result('closed', attempt + 1);
      if (res.status !== 200) return unexpected(send, `sign answered ${res.status} ${res.text.slice(0, 200)}`, attempt);
      signed = (res.body as { parts: SignedPart[] }).parts[0];
    }
    const put = await fetch(signed?.url ?? '', {
      method: 'PUT',
      headers: signed?.headers ?? {},
      body,
      signal: AbortSignal.timeout(10_000),
    }).catch((err: Error) => err);
    const status = put instanceof Response ? put.status : 0;
    if (put instanceof Response) await put.arrayBuffer().catch(() => undefined);
    answers.push(`put ${status}`);
    if (status === 403) signed = undefined;
    // Storage knows nothing of our upload's state: once it is cancelled, expired or complete (by
    // other lanes), a PUT to its aborted multipart upload fails for good (S3 404 NoSuchUpload; moto
    // answers 500), so ask the server whether to go on, as the web app does.
    if (status !== 200 && attempt % 3 === 2 && !(await stillUploading(send))) return result('closed', attempt + 1);
    if (status !== 200) continue;
    const confirmed = await gatewayCall(send.client, 'POST', `/uploads/${plan.uploadId}/parts/confirm`, {
      indexes: [index],
    });
    answers.push(`confirm ${confirmed.status}`);
    if (confirmed.status === 200) return result('ok', attempt + 1);
    if (confirmed.status === 409 && confirmed.text.includes('"aborted"')) continue;
    if (confirmed.status === 409 || confirmed.status === 404) return result('closed', attempt + 1);
    return unexpected(send, `confirm answered ${confirmed.status} ${confirmed.text.slice(0, 200)}`, attempt);
  }
  send.problems.push(
    `upload ${plan.uploadId} part ${index}: no success after ${maxAttempts} attempts: ${answers.join(' | ')}`,
  );
  return result('closed', maxAttempts);

  async function stillUploading(s: ChunkSend): Promise<boolean> {
    const view = await gatewayCall(s.client, 'GET', `/uploads/${s.plan.uploadId}`);
    return (view.body as { upload?: { status?: string } }).upload?.status === 'uploading';
  }

  function unexpected(s: ChunkSend, what: string, attempt: number): ChunkResult {
    s.problems.push(`upload ${s.plan.uploadId} part ${index}: ${what}`);
    return result('closed', attempt + 1);
  }
}
