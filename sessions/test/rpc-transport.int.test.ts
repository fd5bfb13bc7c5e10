import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { type DevTls, generateDevTls, newCallerKeys, type TestCallerKeys } from '@lfusys/commons/dev-secrets';
import { bootstrapPrefix, freePort } from '@lfusys/commons/local-aws';
import type {} from '@lfusys/commons/vitest-global-setup';
import { createSessionsClient } from '@lfusys/proto/sessions-client';
import { type ServiceProcess, spawnService } from '@lfusys/testkit';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Running {
  process: ServiceProcess;
  grpcPort: number;
  ops: string;
}

let keys: TestCallerKeys;
let tls: DevTls;
let processes: Running[] = [];

/** One sessions process as users run it, with TLS, against the shared emulator and prefix. */
async function startSessionsProcess(prefix: string): Promise<Running> {
  const [grpcPort, opsPort] = await Promise.all([freePort(), freePort()]);
  const ops = `http://127.0.0.1:${opsPort}`;
  const process = await spawnService({
    name: `sessions-${grpcPort}`,
    entry,
    env: {
      AWS_ENDPOINT_URL: inject('awsEndpoint'),
      RESOURCE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      GRPC_PORT: String(grpcPort),
      OPS_PORT: String(opsPort),
      GRPC_CALLER_PUBLIC_KEYS: keys.publicKeys,
      GRPC_TLS_CERT_PEM: tls.certPem,
      GRPC_TLS_KEY_PEM: tls.keyPem,
    },
    readyUrl: `${ops}/readyz`,
  });
  return { process, grpcPort, ops };
}

/** Calls this process answered, by method, from its Prometheus counter. */
async function handled(running: Running, method: string): Promise<number> {
  const text = await (await fetch(`${running.ops}/metrics`)).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('grpc_server_handled_total{') &&
        l.includes(`grpc_method="${method}"`) &&
        l.includes('grpc_code="ok"'),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

beforeAll(async () => {
  [keys, tls] = await Promise.all([newCallerKeys(), generateDevTls()]);
  const prefix = `t-${randomUUID().slice(0, 12)}`;
  await bootstrapPrefix(prefix, inject('awsEndpoint'));
  processes = [await startSessionsProcess(prefix), await startSessionsProcess(prefix)];
}, 90_000);
afterAll(async () => {
  await Promise.all(processes.map((p) => p.process.stop('SIGKILL')));
});

const target = () => `ipv4:${processes.map((p) => `127.0.0.1:${p.grpcPort}`).join(',')}`;

describe('two sessions processes behind one client', () => {
  it('share the calls: round robin over every address, over TLS', async () => {
    const client = createSessionsClient({
      address: target(),
      sign: await keys.signer('gateway'),
      tlsCaPem: tls.caPem,
      deadlineMs: 10_000,
    });
    try {
      const userId = randomUUID();
      for (let i = 0; i < 20; i++) await client.listUploads({ userId });
      const counts = await Promise.all(processes.map((p) => handled(p, 'listUploads')));
      expect(counts.reduce((a, b) => a + b, 0)).toBe(20);
      for (const count of counts) expect(count).toBeGreaterThanOrEqual(5);
    } finally {
      client.close();
    }
  });

  it('refuses a client that does not speak TLS, or trusts another CA', async () => {
    const other = await generateDevTls();
    const sign = await keys.signer('gateway');
    for (const tlsCaPem of [undefined, other.caPem]) {
      const client = createSessionsClient({ address: target(), sign, tlsCaPem, deadlineMs: 2000 });
      try {
        await expect(client.listUploads({ userId: randomUUID() })).rejects.toMatchObject({
          code: expect.stringMatching(/^(unavailable|deadline_exceeded)$/),
        });
      } finally {
        client.close();
      }
    }
  });
});
