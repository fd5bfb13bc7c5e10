import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, resourceNames } from '@lfusys/commons';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loginAttemptKey } from '../src/adapters/dynamo-login-attempt-counter.ts';
import { createLoginAttemptLimiter } from '../src/compose.ts';
import type { GatewayConfig } from '../src/config.ts';
import { capturingLogger, extraApp, type LogLine, postAuth } from './edge-helpers.ts';
import { newCredentials, type RunningGateway, startGateway } from './harness.ts';

/**
 * Issue 12 point 4: the per-account login limit is one budget for every gateway instance, and a
 * flood of password hashes is refused fast instead of queueing without bound.
 */
let gw: RunningGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw?.close());

describe('the per-account login limit, shared by two gateway instances', () => {
  const MAX = 3;
  /** A manual clock 100 s into a 15-minute window, so no test run straddles a window boundary. */
  const WINDOW_START = 1_795_000_500; // a multiple of 900
  const clock = { t: (WINDOW_START + 100) * 1000, now: () => clock.t };
  let config: GatewayConfig;
  let one: FastifyInstance;
  let two: FastifyInstance;
  let logs: LogLine[];
  const db = createDocumentClient({ region: 'us-east-1', endpoint: inject('awsEndpoint') });
  const limiter = () => createLoginAttemptLimiter(config, db, clock);

  beforeAll(async () => {
    config = { ...gw.config, RATE_LIMIT_LOGIN_PER_ACCOUNT_PER_15_MINUTES: MAX };
    const capture = capturingLogger();
    logs = capture.lines;
    // Each instance has its own limiter object, as two ECS tasks would: only DynamoDB is shared.
    one = await extraApp(config, { override: { loginAttempts: limiter() } });
    two = await extraApp(config, { logger: capture.logger, override: { loginAttempts: limiter() } });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('counts attempts on either instance against one budget, from any IP, even with the right password', async () => {
    const creds = newCredentials();
    expect((await postAuth(one, 'register', creds, { remoteAddress: '198.51.100.1' })).status).toBe(201);
    const wrong = { email: creds.email, password: 'wrong-password-1' };
    const statuses = [
      (await postAuth(one, 'login', wrong, { remoteAddress: '198.51.100.10' })).status,
      (await postAuth(two, 'login', wrong, { remoteAddress: '198.51.100.11' })).status,
      (await postAuth(one, 'login', wrong, { remoteAddress: '198.51.100.12' })).status,
    ];
    expect(statuses).toEqual([401, 401, 401]);
    const right = { email: creds.email.toUpperCase(), password: creds.password };
    const blocked = await postAuth(two, 'login', right, { remoteAddress: '198.51.100.13' });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error).toMatchObject({ code: 'too_many_requests', details: { limit: 'login_per_account' } });
    // 100 s into the window: the rest of it.
    expect(blocked.headers['retry-after']).toBe('800');
    expect((await postAuth(one, 'login', right, { remoteAddress: '198.51.100.14' })).status).toBe(429);
    // Another account is untouched.
    const other = { email: `other-${Date.now()}@example.com`, password: 'wrong-password-1' };
    expect((await postAuth(two, 'login', other, { remoteAddress: '198.51.100.13' })).status).toBe(401);

    // The next window gives the account its budget back.
    clock.t += 800_000;
    expect((await postAuth(two, 'login', right, { remoteAddress: '198.51.100.15' })).status).toBe(200);
    clock.t -= 800_000;

    // Stored under a keyed hash of the email, in the refresh-tokens table, with its TTL.
    const key = limiter().accountKey(creds.email);
    expect(key).not.toContain(creds.email.split('@')[0]);
    const { Item } = await db.send(
      new GetCommand({
        TableName: resourceNames(config.RESOURCE_PREFIX).refreshTokensTable,
        Key: loginAttemptKey(key, WINDOW_START),
      }),
    );
    expect(Item).toMatchObject({ attempts: 5, expiresAt: WINDOW_START + 900 });
  });

  it('logs the refusal once, naming the limit that fired', () => {
    const refusals = logs.filter((l) => l.msg === 'request rejected' && l.code === 'too_many_requests');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]?.details).toEqual({ limit: 'login_per_account', max: MAX });
  });
});

describe('the argon2 wait queue', () => {
  it('answers 503 unavailable with Retry-After at once when it is full, instead of queueing', async () => {
    // One hash at a time, nobody may wait, and a slow hash so the burst surely overlaps it.
    const app = await extraApp({ ...gw.config, ARGON2_MAX_CONCURRENT: 1, ARGON2_MAX_QUEUE: 0, ARGON2_TIME_COST: 10 });
    try {
      const burst = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          postAuth(
            app,
            'login',
            { email: `burst-${i}@example.com`, password: 'wrong-password-1' },
            { remoteAddress: `198.51.100.${30 + i}` },
          ),
        ),
      );
      const statuses = burst.map((r) => r.status).sort();
      expect(statuses).toEqual([401, 503, 503, 503]);
      for (const refused of burst.filter((r) => r.status === 503)) {
        expect(refused.body.error?.code).toBe('unavailable');
        expect(refused.headers['retry-after']).toBe('1');
      }
      // Once the hash is done, the next sign-in is served again.
      const after = await postAuth(
        app,
        'login',
        { email: 'later@example.com', password: 'wrong-password-1' },
        {
          remoteAddress: '198.51.100.40',
        },
      );
      expect(after.status).toBe(401);
    } finally {
      await app.close();
    }
  });
});
