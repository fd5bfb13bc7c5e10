import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { generateEd25519Jwk } from '@lfusys/commons/core';
import { bootstrapPrefix, freePort } from '@lfusys/commons/local-aws';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type RunningGateway, startGateway, TestClient, uniquePrefix } from './harness.ts';

let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());

describe('request ids', () => {
  it('echoes a well-formed x-request-id and puts it in error bodies', async () => {
    const res = await fetch(`${gw.api}/auth/me`, { headers: { 'x-request-id': 'client-supplied-1234' } });
    expect(res.headers.get('x-request-id')).toBe('client-supplied-1234');
    expect(await res.json()).toMatchObject({ error: { requestId: 'client-supplied-1234' } });
  });

  it('replaces a malformed one with a fresh UUID', async () => {
    const res = await fetch(`${gw.baseUrl}/healthz`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('health, readiness, metrics and docs', () => {
  it('serves /healthz, /readyz (DynamoDB reachable) and Prometheus /metrics', async () => {
    expect((await fetch(`${gw.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gw.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true, checks: { dynamodb: { ok: true }, sessions: { ok: true } } });
    const metrics = await (await fetch(`${gw.baseUrl}/metrics`)).text();
    expect(metrics).toContain('http_request_duration_seconds_bucket');
    expect(metrics).toContain('route="/readyz"');
  });

  it('reports not ready when DynamoDB is unreachable', async () => {
    const port = await freePort();
    const broken = await startGateway({
      RESOURCE_PREFIX: gw.config.RESOURCE_PREFIX,
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    });
    try {
      const res = await fetch(`${broken.baseUrl}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ ready: false, checks: { dynamodb: { ok: false } } });
      // A dependency outage is a clean 503, never a stack trace.
      const client = new TestClient(broken.api);
      const res2 = await client.post('/auth/login', { email: 'a@example.com', password: 'whatever-pass' });
      expect(res2.status).toBe(503);
      expect(res2.body).toMatchObject({ error: { code: 'unavailable' } });
    } finally {
      await broken.close();
    }
  });

  it('serves the OpenAPI document with the auth and users routes', async () => {
    const res = await fetch(`${gw.api}/docs/json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
        '/api/v1/users/me',
        '/api/v1/users/me/password',
      ]),
    );
  });
});

describe('rate limits', () => {
  let limited: RunningGateway;
  beforeAll(async () => {
    limited = await startGateway({
      // The test client stands in for the load balancer, so X-Forwarded-For picks the client.
      TRUSTED_PROXY_CIDRS: '127.0.0.1/32',
      RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: '4',
    });
  });
  afterAll(() => limited.close());

  it('answers 429 with Retry-After once one IP exceeds the auth limit', async () => {
    const client = new TestClient(limited.api);
    const headers = { 'x-forwarded-for': '203.0.113.7' };
    const statuses: number[] = [];
    let last: Awaited<ReturnType<TestClient['request']>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await client.request('POST', '/auth/login', {
        json: { email: `ip${i}@example.com`, password: 'wrong-password' },
        headers,
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last?.body).toMatchObject({ error: { code: 'too_many_requests', details: { limit: 'auth_per_ip' } } });
    // Another IP is unaffected.
    const other = await client.request('POST', '/auth/login', {
      json: { email: 'ip@example.com', password: 'wrong-password' },
      headers: { 'x-forwarded-for': '203.0.113.8' },
    });
    expect(other.status).toBe(401);
  });
});

describe('the gateway process', () => {
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

  it('refuses to start on bad config, naming every bad key', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { PATH: process.env.PATH, PORT: 'eighty', JWT_PRIVATE_KEYS: 'not json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('JWT_PRIVATE_KEYS');
    expect(stderr).toContain('CSRF_SECRET');
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const prefix = uniquePrefix();
    await bootstrapPrefix(prefix, inject('awsEndpoint'));
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: inject('awsEndpoint'),
        RESOURCE_PREFIX: prefix,
        PORT: String(port),
        JWT_PRIVATE_KEYS: JSON.stringify([await generateEd25519Jwk()]),
        SESSIONS_CALLER_KEY: JSON.stringify(await generateEd25519Jwk()),
        CSRF_SECRET: randomBytes(32).toString('hex'),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // Up to 30 s to start: a loaded 2-core CI machine compiling TypeScript on the fly is slow.
    for (let i = 0; i < 300; i++) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdout).toContain('shutting down');
    // Every request log line carries the request id.
    const requestLines = stdout.split('\n').filter((l) => l.includes('"req"'));
    expect(requestLines.length).toBeGreaterThan(0);
    for (const line of requestLines) expect(JSON.parse(line)).toHaveProperty('requestId');
  }, 60_000);
});
