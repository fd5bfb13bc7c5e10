import type {} from '@lfusys/commons/vitest-global-setup';
import { startFaultProxy, startStack } from '@lfusys/testkit';
import { describe, expect, inject, it } from 'vitest';

/**
 * A service started while its storage resets connections waits it out (issue 12: a sessions restart
 * whose first GetQueueUrl met injected resets exited and ended a 1,000-upload soak). Each failed
 * attempt is logged at warn; the budget (`STARTUP_RETRY_MS`) bounds the wait.
 */
const isGetQueueUrl = (target: unknown) => target === 'AmazonSQS.GetQueueUrl';
const RETRY_LOG = 'start-up step failed; retrying';

describe('service start-up against flaky storage', () => {
  it('sessions retries GetQueueUrl through resets and becomes ready', async () => {
    const endpoint = inject('awsEndpoint');
    const proxy = await startFaultProxy(endpoint);
    // More resets than the SDK's own 3 attempts absorb, so the start-up retry has to act.
    let resets = 0;
    proxy.setRule((req) => {
      if (isGetQueueUrl(req.headers['x-amz-target']) && resets < 5) {
        resets += 1;
        return 'reset';
      }
      return 'forward';
    });
    const stack = await startStack({ endpoint, env: { sessions: { AWS_ENDPOINT_URL: proxy.url, LOG_LEVEL: 'warn' } } });
    try {
      expect(resets).toBe(5);
      expect(stack.processes.sessions.output()).toContain(RETRY_LOG);
      const ready = await fetch(`${stack.sessionsOps}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await stack.stop();
      await proxy.close();
    }
  }, 60_000);

  it('sessions gives up and exits non-zero once STARTUP_RETRY_MS is spent', async () => {
    const endpoint = inject('awsEndpoint');
    const proxy = await startFaultProxy(endpoint);
    proxy.setRule((req) => (isGetQueueUrl(req.headers['x-amz-target']) ? 'reset' : 'forward'));
    try {
      const started = startStack({
        endpoint,
        env: { sessions: { AWS_ENDPOINT_URL: proxy.url, STARTUP_RETRY_MS: '1500', LOG_LEVEL: 'warn' } },
      });
      const err = (await started.catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(/sessions exited with 1 before it was ready/);
      expect(err.message).toContain('sessions dependencies: still failing after');
    } finally {
      await proxy.close();
    }
  }, 60_000);

  it('a config error still exits at once, without a retry', async () => {
    const err = (await startStack({
      endpoint: inject('awsEndpoint'),
      env: { sessions: { STARTUP_RETRY_MS: 'soon' } },
    }).catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/sessions exited with 1 before it was ready/);
    expect(err.message).toContain('STARTUP_RETRY_MS');
    expect(err.message).not.toContain(RETRY_LOG);
  }, 60_000);
});
