import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturingLogger, extraApp, type LogLine, postAuth } from './edge-helpers.ts';
import { type RunningGateway, startGateway, TestClient } from './harness.ts';

/**
 * Issue 12 point 4: a client that writes its own X-Forwarded-For must not escape per-IP limits.
 * The gateway trusts only 192.0.2.0/24 (standing in for the ALB's subnets); the loopback peer of a
 * real socket and the other inject peers are ordinary clients.
 */
const LIMIT = 12;
/** The inject app's smaller per-IP limit keeps this file fast; the socket test uses the full 12. */
const INJECT_LIMIT = 4;
let gw: RunningGateway;
let app: FastifyInstance;
let logs: LogLine[];
beforeAll(async () => {
  gw = await startGateway({
    TRUSTED_PROXY_CIDRS: '192.0.2.0/24',
    RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: String(LIMIT),
  });
  const capture = capturingLogger();
  logs = capture.lines;
  app = await extraApp({ ...gw.config, RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: INJECT_LIMIT }, { logger: capture.logger });
});
afterAll(async () => {
  await app?.close();
  await gw?.close();
});

const wrongLogin = (i: number) => ({ email: `spray-${i}@example.com`, password: 'wrong-password-1' });

describe('client IP: X-Forwarded-For only counts when a trusted proxy wrote it', () => {
  it('a real client rotating X-Forwarded-For over a socket hits the per-IP limit at the limit', async () => {
    const client = new TestClient(gw.api);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const res = await client.request('POST', '/auth/login', {
        json: wrongLogin(i),
        headers: { 'x-forwarded-for': `198.51.100.${i + 1}, 203.0.113.${i + 1}` },
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.body).toMatchObject({ error: { code: 'too_many_requests', details: { limit: 'auth_per_ip' } } });
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429, 429]);
  });

  it('an untrusted peer rotating X-Forwarded-For is limited by its own address (inject)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < INJECT_LIMIT + 1; i++) {
      const res = await postAuth(app, 'login', wrongLogin(i), {
        remoteAddress: '203.0.113.50',
        xff: `198.51.100.${i}`,
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([...Array(INJECT_LIMIT).fill(401), 429]);
    // Sign-up floods are bounded the same way.
    const signUps: number[] = [];
    for (let i = 0; i < INJECT_LIMIT + 1; i++) {
      const res = await postAuth(
        app,
        'register',
        { name: 'Flood', email: `flood-${i}-${Date.now()}@example.com`, password: 'long-enough-pass-1' },
        { remoteAddress: '203.0.113.51', xff: `198.51.100.${i}` },
      );
      signUps.push(res.status);
    }
    expect(signUps).toEqual([...Array(INJECT_LIMIT).fill(201), 429]);
  });

  it('behind a trusted proxy, two clients get separate budgets', async () => {
    const proxy = '192.0.2.10';
    const a: number[] = [];
    for (let i = 0; i < INJECT_LIMIT + 1; i++) {
      a.push((await postAuth(app, 'login', wrongLogin(i), { remoteAddress: proxy, xff: '198.51.100.201' })).status);
    }
    expect(a).toEqual([...Array(INJECT_LIMIT).fill(401), 429]);
    // Another client behind the same proxy (another ALB node, even) is untouched.
    const b = await postAuth(app, 'login', wrongLogin(0), { remoteAddress: '192.0.2.11', xff: '198.51.100.202' });
    expect(b.status).toBe(401);
  });

  it('behind a trusted proxy, a spoofed left-most entry does not buy a new budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < INJECT_LIMIT + 1; i++) {
      // What the ALB forwards in append mode: the client's forged header, then the address it saw.
      const xff = `10.${i}.0.1, 198.51.100.203`;
      statuses.push((await postAuth(app, 'login', wrongLogin(i), { remoteAddress: '192.0.2.10', xff })).status);
    }
    expect(statuses).toEqual([...Array(INJECT_LIMIT).fill(401), 429]);
  });

  it('keys the global limit on the same client IP, refusing with too_many_requests', async () => {
    const strict = await extraApp({ ...gw.config, RATE_LIMIT_GLOBAL_PER_MINUTE: 2 });
    try {
      const get = (xff: string) =>
        strict.inject({
          method: 'GET',
          url: '/api/v1/auth/csrf',
          remoteAddress: '203.0.113.60',
          headers: { 'x-forwarded-for': xff },
        });
      const statuses = [(await get('198.51.100.1')).statusCode, (await get('198.51.100.2')).statusCode];
      const refused = await get('198.51.100.3');
      expect([...statuses, refused.statusCode]).toEqual([200, 200, 429]);
      expect(refused.json()).toMatchObject({
        error: { code: 'too_many_requests', details: { limit: 'global_per_ip' } },
      });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    } finally {
      await strict.close();
    }
  });

  it('logs each refusal once, naming the limit that fired', () => {
    const refusals = logs.filter((l) => l.msg === 'request rejected' && l.code === 'too_many_requests');
    // One per 429 the inject tests above received: login ×3, register ×1.
    expect(refusals).toHaveLength(4);
    for (const line of refusals) expect(line.details).toEqual({ limit: 'auth_per_ip', max: INJECT_LIMIT });
  });
});
