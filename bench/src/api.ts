import { randomBytes } from 'node:crypto';
import type { Stack } from '@lfusys/testkit';
import autocannon, { type AutocannonOptions, type AutocannonResult } from 'autocannon';
import { openUpload, putChunk, sha256, signUp } from './lfusys.ts';
import { MiB, percentile } from './stats.ts';
import { now, sleep, withTimeout } from './time.ts';

/** API latency and throughput with autocannon against the gateway and the uploads workers. */

export interface LoadResult {
  name: string;
  connections: number;
  seconds: number;
  requests: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
  note?: string;
}

/** prom-client's monitorEventLoopDelay resolution: its histogram records whole timer intervals, so idle reads ~10 ms. */
export const EVENT_LOOP_RESOLUTION_MS = 10;

export interface EventLoopReading {
  /**
   * From the gateway's own prom-client metrics (monitorEventLoopDelay, reset at each scrape). These
   * are raw interval lengths: the delay is the value minus the 10 ms resolution (`delay*` below).
   */
  metricsMinMs: number;
  metricsMaxMs: number;
  metricsP99Ms: number;
  metricsMeanMs: number;
  /** Event-loop delay beyond the timer's resolution: max and p99 over the window. */
  delayMaxMs: number;
  delayP99Ms: number;
  /** GET /healthz every 10 ms from the benchmark process: an upper bound (includes the client's own delays). */
  probeP50Ms: number;
  probeP99Ms: number;
  probeMaxMs: number;
  probeCount: number;
}

export interface ApiResults {
  loads: LoadResult[];
  /** Event-loop delay of the gateway while idle and under the login load. */
  eventLoopIdle: EventLoopReading;
  eventLoopLogin: EventLoopReading;
}

async function load(name: string, options: AutocannonOptions, note?: string): Promise<LoadResult> {
  const seconds = options.duration ?? 10;
  const result: AutocannonResult = await withTimeout(
    Promise.resolve(autocannon({ timeout: 30, ...options })),
    (seconds + 60) * 1000,
    `autocannon ${name}`,
  );
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]));
  return {
    name,
    connections: options.connections ?? 10,
    seconds: result.duration,
    requests: result.latency.totalCount,
    reqPerSec: result.latency.totalCount / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes,
    ...(note ? { note } : {}),
  };
}

/** The gateway's event-loop delay metrics since the previous scrape (prom-client resets its histogram on collect). */
async function scrapeEventLoop(
  gatewayBase: string,
): Promise<{ minMs: number; maxMs: number; p99Ms: number; meanMs: number }> {
  const text = await (await fetch(`${gatewayBase}/metrics`)).text();
  const value = (name: string) => {
    const match = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+(\\S+)$`, 'm').exec(text);
    return match?.[1] === undefined ? Number.NaN : Number(match[1]) * 1000;
  };
  return {
    minMs: value('nodejs_eventloop_lag_min_seconds'),
    maxMs: value('nodejs_eventloop_lag_max_seconds'),
    p99Ms: value('nodejs_eventloop_lag_p99_seconds'),
    meanMs: value('nodejs_eventloop_lag_mean_seconds'),
  };
}

/** Measures the gateway's event-loop delay while `during` runs: metrics scraped before and after, plus a probe. */
async function eventLoopDuring(gatewayBase: string, during: () => Promise<unknown>): Promise<EventLoopReading> {
  await scrapeEventLoop(gatewayBase); // resets the histogram
  const probe: number[] = [];
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const tick = now();
      const res = await fetch(`${gatewayBase}/healthz`, { signal: AbortSignal.timeout(10_000) }).catch(() => null);
      await res?.arrayBuffer();
      probe.push(now() - tick);
      await sleep(Math.max(0, 10 - (now() - tick)));
    }
  })();
  try {
    await during();
  } finally {
    probing = false;
    await prober;
  }
  const metrics = await scrapeEventLoop(gatewayBase);
  return {
    metricsMinMs: metrics.minMs,
    metricsMaxMs: metrics.maxMs,
    metricsP99Ms: metrics.p99Ms,
    metricsMeanMs: metrics.meanMs,
    delayMaxMs: Math.max(0, metrics.maxMs - EVENT_LOOP_RESOLUTION_MS),
    delayP99Ms: Math.max(0, metrics.p99Ms - EVENT_LOOP_RESOLUTION_MS),
    probeP50Ms: percentile(probe, 50),
    probeP99Ms: percentile(probe, 99),
    probeMaxMs: Math.max(...probe),
    probeCount: probe.length,
  };
}

export async function runApiBench(stack: Stack, seconds: number, chunkMiB: number): Promise<ApiResults> {
  const { client, creds } = await signUp(stack.gatewayApi);
  const csrf = client.cookies.get('lfusys-csrf') ?? '';
  if (!csrf) throw new Error('no CSRF cookie after sign-in');
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const loads: LoadResult[] = [];

  loads.push(
    await load('GET /api/v1/auth/me', {
      url: `${stack.gatewayApi}/auth/me`,
      headers: { cookie },
      connections: 10,
      duration: seconds,
    }),
  );

  loads.push(
    await load(
      'POST /api/v1/uploads',
      {
        url: `${stack.gatewayApi}/uploads`,
        method: 'POST',
        headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ fileName: 'api-bench.bin', size: MiB, contentType: 'application/octet-stream' }),
        connections: 10,
        duration: seconds,
      },
      'each request opens a real upload: a DynamoDB transaction (quota + session) and an S3 CreateMultipartUpload',
    ),
  );

  // Two chunks, only the first ever stored: the upload stays open, and every re-send of chunk 0 is
  // verified (token, session, recorded part, SHA-256 of the whole body) and acknowledged without an S3 write.
  const chunkBytes = chunkMiB * MiB;
  const plan = await openUpload(client, 'api-chunk.bin', 2 * chunkBytes);
  const body = randomBytes(chunkBytes);
  const digest = sha256(body);
  const first = await putChunk(plan, 0, body, digest);
  if (first.status !== 200) throw new Error(`chunk 0: ${first.status} ${await first.text()}`);
  await first.arrayBuffer();
  loads.push(
    await load(
      `PUT chunk (${chunkMiB} MiB, re-sent)`,
      {
        url: `${plan.uploadUrl}/chunks/0`,
        method: 'PUT',
        headers: {
          authorization: `Bearer ${plan.uploadToken}`,
          'content-type': 'application/octet-stream',
          'x-chunk-sha256': digest,
        },
        body,
        connections: 4,
        duration: seconds,
      },
      'idempotent re-send of a stored chunk: received, hashed and acknowledged, no S3 write',
    ),
  );

  const eventLoopIdle = await eventLoopDuring(stack.gatewayBase, () => sleep(Math.min(5, seconds) * 1000));
  let login: LoadResult | undefined;
  const eventLoopLogin = await eventLoopDuring(stack.gatewayBase, async () => {
    login = await load(
      'POST /api/v1/auth/login',
      {
        url: `${stack.gatewayApi}/auth/login`,
        method: 'POST',
        headers: { cookie: `lfusys-csrf=${csrf}`, 'x-csrf-token': csrf, 'content-type': 'application/json' },
        body: JSON.stringify({ email: creds.email, password: creds.password }),
        connections: 20,
        duration: seconds,
      },
      'argon2id verify (19 MiB, t=2) on the libuv thread pool, then a refresh-token write and a signed access token',
    );
  });
  if (login) loads.push(login);
  return { loads, eventLoopIdle, eventLoopLogin };
}
