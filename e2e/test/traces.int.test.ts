import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UPLOAD_ID_ATTRIBUTE } from '@lfusys/commons';
import { readSpans, type StoredSpan, uploadTraces } from '@lfusys/commons/telemetry/traces';
import type {} from '@lfusys/commons/vitest-global-setup';
import { type Stack, signUp, startStack } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { chunkOf, putChunk, sha256Hex, type UploadPlan, waitForUpload } from './chunks.ts';

const MiB = 1024 * 1024;
const ONE_TIME_TOKEN = 'one-time-s3cr3t-7f3a';
let stack: Stack;
let tracesDir: string;

beforeAll(async () => {
  tracesDir = await mkdtemp(join(tmpdir(), 'lfusys-traces-'));
  // What `make dev` does: every service writes its spans to the directory, flushed quickly.
  const tracing = { TRACES_DIR: tracesDir, OTEL_BSP_SCHEDULE_DELAY: '200' };
  stack = await startStack({
    endpoint: inject('awsEndpoint'),
    gateway: true,
    uploads: true,
    uploadsWorkers: 1,
    env: {
      sessions: { ...tracing, CHUNK_SIZE_BYTES: String(MiB) },
      gateway: tracing,
      uploads: tracing,
    },
  });
}, 120_000);
afterAll(async () => {
  await stack?.stop();
  await rm(tracesDir, { recursive: true, force: true });
});

/** The span's ancestors within its trace, nearest first. */
function ancestors(span: StoredSpan, trace: readonly StoredSpan[]): StoredSpan[] {
  const out: StoredSpan[] = [];
  for (
    let s = trace.find((p) => p.spanId === span.parentSpanId);
    s;
    s = trace.find((p) => p.spanId === s?.parentSpanId)
  )
    out.push(s);
  return out;
}

/** Polls the trace files until `found` returns something (spans are exported in batches). */
async function eventually<T>(found: (spans: StoredSpan[]) => T | undefined): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const result = found(await readSpans(tracesDir));
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(`no such spans in ${tracesDir}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Trace ids found in a process's JSON log lines. */
function loggedTraceIds(output: string): Set<string> {
  const ids = new Set<string>();
  for (const line of output.split('\n')) {
    const match = /"trace_id":"([0-9a-f]{32})","span_id":"[0-9a-f]{16}"/.exec(line);
    if (match?.[1]) ids.add(match[1]);
  }
  return ids;
}

describe('OpenTelemetry traces across the real processes', () => {
  it('traces an upload from POST /uploads to DynamoDB, each chunk through RecordPart, and links its assembly to the chunk that queued it', async () => {
    const { client } = await signUp(stack.gatewayApi);
    const file = randomBytes(MiB + 4096);
    const created = await client.post('/uploads', {
      fileName: 'traced.bin',
      size: file.length,
      contentType: 'application/octet-stream',
      sha256: sha256Hex(file),
    });
    expect(created.status).toBe(201);
    const plan = created.body as UploadPlan;
    for (const index of [0, 1]) {
      const res = await putChunk(plan, index, chunkOf(file, plan, index));
      expect(res.status).toBe(200);
    }
    await waitForUpload(client, plan.uploadId, 'completed');
    // A mailed one-time link, as a hostile reader of traces would like to find it.
    await fetch(`${stack.gatewayBase}/verify-email?token=${ONE_TIME_TOKEN}`).then((r) => r.arrayBuffer());

    // Each process exports on its own schedule: wait until every part has arrived.
    const traces = await eventually((spans) => {
      const found = uploadTraces(spans, plan.uploadId);
      const all = found.flat();
      const arrived =
        all.some((s) => s.service === 'gateway' && s.parentSpanId === '') &&
        all.filter((s) => s.service === 'sessions' && s.name.endsWith('/RecordPart')).length === 2 &&
        all.some((s) => s.name === 'upload.verify_sha256');
      return arrived ? found : undefined;
    });
    const assemble = traces.flat().find((s) => s.name === 'upload.assemble') as StoredSpan;

    // 1. POST /uploads: the gateway's server span → the gRPC CreateUpload client and server → DynamoDB.
    const createTrace = traces.find((t) =>
      t.some(
        (s) =>
          s.service === 'sessions' &&
          s.name.endsWith('/CreateUpload') &&
          s.attributes[UPLOAD_ID_ATTRIBUTE] === plan.uploadId,
      ),
    );
    expect(createTrace).toBeDefined();
    const create = createTrace ?? [];
    const dynamo = create.find((s) => s.service === 'sessions' && s.attributes['rpc.service'] === 'DynamoDB');
    expect(dynamo).toBeDefined();
    const dynamoPath = ancestors(dynamo as StoredSpan, create);
    expect(dynamoPath.map((s) => `${s.service} ${s.kind}`)).toEqual(
      expect.arrayContaining(['sessions 2', 'gateway 3', 'gateway 2']),
    );
    const root = dynamoPath.at(-1) as StoredSpan;
    expect(root).toMatchObject({ service: 'gateway', parentSpanId: '', kind: 2 });
    expect(String(root.attributes['http.request.method'] ?? root.attributes['http.method'])).toBe('POST');

    // 2. Each chunk PUT: the uploads server span → chunk.verify and chunk.record → RecordPart in sessions.
    const chunkTraces = traces.filter((t) => t.some((s) => s.service === 'uploads' && s.name === 'chunk.record'));
    expect(chunkTraces).toHaveLength(2);
    for (const chunk of chunkTraces) {
      expect(chunk.map((s) => s.name)).toContain('chunk.verify');
      const recordPart = chunk.find((s) => s.service === 'sessions' && s.name.endsWith('/RecordPart'));
      expect(recordPart).toBeDefined();
      const path = ancestors(recordPart as StoredSpan, chunk);
      expect(path.map((s) => s.name)).toContain('chunk.record');
      expect(path.at(-1)).toMatchObject({ service: 'uploads', parentSpanId: '', kind: 2 });
    }

    // 3. The assembly: a trace of its own, linked to the SQS send of the chunk that completed the set.
    expect(assemble).toMatchObject({ service: 'sessions', parentSpanId: '' });
    expect(assemble.attributes[UPLOAD_ID_ATTRIBUTE]).toBe(plan.uploadId);
    expect(assemble.links).toHaveLength(1);
    const linked = chunkTraces.flat().find((s) => s.spanId === assemble.links[0]?.spanId);
    expect(linked).toMatchObject({ service: 'uploads', kind: 4, traceId: assemble.links[0]?.traceId });
    const assemblyTrace = traces.find((t) => t[0]?.traceId === assemble.traceId) ?? [];
    expect(assemblyTrace.map((s) => s.name)).toContain('upload.verify_sha256');

    // 4. No secret in any span: the presigned part URLs' signatures, the upload token, a mailed token.
    const everything = JSON.stringify(await readSpans(tracesDir));
    expect(everything).toContain('X-Amz-Signature=REDACTED');
    expect(everything).not.toMatch(/X-Amz-(Signature|Credential|Security-Token)=(?!REDACTED)/);
    expect(everything).toContain('/verify-email?token=REDACTED');
    expect(everything).not.toContain(ONE_TIME_TOKEN);
    expect(everything).not.toContain(plan.uploadToken);

    // 5. trace_id in the log lines of all three services, for these traces.
    const output = (name: 'gateway' | 'sessions' | 'uploads') => stack.processes[name]?.output() ?? '';
    expect(loggedTraceIds(output('gateway'))).toContain(root.traceId);
    const uploadsLogged = loggedTraceIds(output('uploads'));
    expect(chunkTraces.some((t) => uploadsLogged.has(t[0]?.traceId ?? ''))).toBe(true);
    expect(loggedTraceIds(output('sessions'))).toContain(assemble.traceId);
  }, 90_000);
});
