import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSpans, type StoredSpan } from '@lfusys/commons/telemetry/traces';
import type {} from '@lfusys/commons/vitest-global-setup';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AppUnderTest, sampleFile, signUp, startAppUnderTest } from './app-under-test.ts';

/**
 * A browser action starts the trace (docs/tracing.md): the real app in Chromium sends a W3C
 * `traceparent` on its API calls and relay chunk PUTs, one trace id per upload, and the services,
 * writing spans as `make dev` does, put their server spans and everything below them (sessions
 * included) in that trace, as children of the parent ids the browser sent. Parts PUT to storage
 * carry no traceparent.
 */
const MiB = 1024 * 1024;
let app: AppUnderTest;
let tracesDir: string;

beforeAll(async () => {
  tracesDir = await mkdtemp(join(tmpdir(), 'lfusys-browser-traces-'));
  const tracing = { TRACES_DIR: tracesDir, OTEL_BSP_SCHEDULE_DELAY: '200' };
  app = await startAppUnderTest(inject('awsEndpoint'), {
    sessions: { ...tracing, CHUNK_SIZE_BYTES: String(MiB), UPLOAD_TRANSFER_DEFAULT: 'direct' },
    gateway: tracing,
    uploads: tracing,
  });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await rm(tracesDir, { recursive: true, force: true });
});

/** A request the page made, with the trace context it carried (W3C: version-traceid-parentid-flags). */
interface Sent {
  method: string;
  url: URL;
  traceId?: string;
  parentId?: string;
  traceparent?: string;
}

/** Records every request the page makes from now on, with all its headers. */
function recordRequests(page: Page): Promise<Sent>[] {
  const sent: Promise<Sent>[] = [];
  page.on('request', (request: Request) => {
    sent.push(
      request.allHeaders().then((headers) => {
        const traceparent = headers.traceparent;
        const [, traceId, parentId] = traceparent?.split('-') ?? [];
        return { method: request.method(), url: new URL(request.url()), traceparent, traceId, parentId };
      }),
    );
  });
  return sent;
}

/** Uploads `name` through the Uploads page (relay when `relay`, the server's default otherwise) and waits for it. */
async function upload(page: Page, name: string, relay: boolean): Promise<void> {
  if (relay) {
    await page.route(`${app.stack.gatewayApi}/uploads`, (route) => {
      const request = route.request();
      if (request.method() !== 'POST') return route.continue();
      const body = JSON.parse(request.postData() ?? '{}') as Record<string, unknown>;
      return route.continue({ postData: JSON.stringify({ ...body, transfer: 'relay' }) });
    });
  }
  const path = await sampleFile(app, name, randomBytes(2 * MiB + 4096));
  await page.getByRole('link', { name: 'Upload files' }).click();
  await page.locator('input[type=file]').setInputFiles(path);
  await page.locator(`li[aria-label="${name}"][data-status=completed]`).waitFor({ timeout: 60_000 });
}

/** Polls the span files until `found` says every expected span has arrived (each process exports on its own). */
async function spansOf(traceId: string, found: (trace: StoredSpan[]) => boolean): Promise<StoredSpan[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const trace = (await readSpans(tracesDir)).filter((s) => s.traceId === traceId);
    if (found(trace)) return trace;
    if (Date.now() > deadline) throw new Error(`trace ${traceId} incomplete: ${trace.map((s) => s.name).join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The requests of the page's one upload: its open, and those naming it (API calls, relay chunks; not storage). */
function requestsOfUpload(requests: readonly Sent[]): Sent[] {
  const named = requests.map((r) => /^\/(?:api\/v1\/)?uploads\/([^/]+)\/(?:chunks|parts)\b/.exec(r.url.pathname)?.[1]);
  const uploadId = named.find((id) => id !== undefined && id !== 'usage');
  return requests.filter(
    (r) =>
      (r.method === 'POST' && r.url.pathname === '/api/v1/uploads') ||
      (uploadId !== undefined && r.url.pathname.includes(`/uploads/${uploadId}`)),
  );
}

/** The spans whose parent is not in the trace: where the services' part of it starts. */
const entriesOf = (trace: readonly StoredSpan[]) => {
  const ids = new Set(trace.map((s) => s.spanId));
  return trace.filter((s) => !ids.has(s.parentSpanId));
};

/** Every entry is an HTTP server span of the gateway or the uploads workers (OTLP kind 2), with a parent (the browser's). */
const hangsOffTheBrowser = (trace: readonly StoredSpan[]) =>
  trace.length > 0 &&
  entriesOf(trace).every((s) => ['gateway', 'uploads'].includes(s.service) && s.kind === 2 && s.parentSpanId !== '');

describe('a browser action starts the trace', () => {
  it('relay: the open, the chunks and what sessions did for them are one trace, the id the app sent', async () => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await signUp(page, app.stack);
    const sent = recordRequests(page);
    await upload(page, 'traced-relay.bin', true);
    const requests = await Promise.all(sent);

    const open = requests.find((r) => r.method === 'POST' && r.url.pathname === '/api/v1/uploads');
    expect(open?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    const traceId = open?.traceId ?? '';
    const chunks = requests.filter((r) => r.method === 'PUT' && r.url.pathname.includes('/chunks/'));
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const ofUpload = requestsOfUpload(requests);
    // One trace id for the upload, a parent id of its own per request.
    expect(new Set(ofUpload.map((r) => r.traceId))).toEqual(new Set([traceId]));
    expect(new Set(ofUpload.map((r) => r.parentId)).size).toBe(ofUpload.length);

    const trace = await spansOf(
      traceId,
      (t) =>
        hangsOffTheBrowser(t) &&
        t.filter((s) => s.service === 'sessions' && s.name.endsWith('/RecordPart')).length >= chunks.length &&
        t.some((s) => s.service === 'sessions' && s.name.endsWith('/CreateUpload')),
    );
    // Where the services' part starts: each request's server span, the child of the browser's
    // (unrecorded) span for that request; everything else (sessions, the JWKS fetch) hangs below.
    const entries = entriesOf(trace);
    const sentParents = new Set(ofUpload.map((r) => r.parentId));
    for (const entry of entries) expect(sentParents).toContain(entry.parentSpanId);
    expect(entries.filter((s) => s.service === 'gateway').map((s) => s.name)).toContain('POST /api/v1/uploads');
    expect(entries.filter((s) => s.service === 'uploads')).toHaveLength(chunks.length);
    const sessions = trace.filter((s) => s.service === 'sessions' && s.kind === 2);
    expect(sessions.map((s) => s.name.split('/').at(-1))).toEqual(
      expect.arrayContaining(['CreateUpload', 'RecordPart']),
    );
    await context.close();
  }, 120_000);

  it('direct: signing and confirming parts join the trace; the parts PUT to storage carry no traceparent', async () => {
    const context = await app.browser.newContext();
    const page = await context.newPage();
    await signUp(page, app.stack);
    const sent = recordRequests(page);
    await upload(page, 'traced-direct.bin', false);
    const requests = await Promise.all(sent);

    const parts = requests.filter((r) => r.method === 'PUT' && r.url.searchParams.has('partNumber'));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    for (const part of parts) expect(part.traceparent).toBeUndefined();
    const open = requests.find((r) => r.method === 'POST' && r.url.pathname === '/api/v1/uploads');
    const traceId = open?.traceId ?? '';
    const signing = requests.filter((r) => r.url.pathname.endsWith('/parts') || r.url.pathname.endsWith('/confirm'));
    expect(signing.length).toBeGreaterThanOrEqual(2);
    expect(new Set(signing.map((r) => r.traceId))).toEqual(new Set([traceId]));

    const trace = await spansOf(
      traceId,
      (t) =>
        hangsOffTheBrowser(t) &&
        ['CreateUpload', 'SignParts', 'ConfirmParts'].every((m) =>
          t.some((s) => s.service === 'sessions' && s.name.endsWith(`/${m}`)),
        ),
    );
    const ofUpload = requestsOfUpload(requests);
    expect(new Set(ofUpload.map((r) => r.traceId))).toEqual(new Set([traceId]));
    const sentParents = new Set(ofUpload.map((r) => r.parentId));
    for (const entry of entriesOf(trace)) expect(sentParents).toContain(entry.parentSpanId);
    await context.close();
  }, 120_000);
});
