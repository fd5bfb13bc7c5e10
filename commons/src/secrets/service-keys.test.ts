import { connect, createServer } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { createCallerTokenSigner, createCallerTokenVerifier } from '../grpc/caller-token.ts';
import { createLogger } from '../logger.ts';
import { MemorySecretStore } from './memory-secret-store.ts';
import {
  awaitSessionsTlsCa,
  type KeyProvisioning,
  loadCallerPublicKeys,
  provisionCallerKey,
  provisionSessionsTls,
  provisionSigningKeys,
  ROTATE_VALUE,
} from './service-keys.ts';

function setup(): KeyProvisioning & { store: MemorySecretStore } {
  const store = new MemorySecretStore();
  for (const id of ['jwt', 'gw-key', 'gw-pub', 'up-key', 'up-pub', 'tls', 'tls-ca']) store.create(id);
  return { store, logger: createLogger({ service: 'test', level: 'silent' }), waitMs: 50 };
}

const call = { rpc: '/lfusys.sessions.v1.Sessions/ListUploads', user: 'u1' };

/** True when a TLS client trusting `caPem` completes a handshake with a server serving `tls` for `name`. */
async function handshakes(server: { certPem: string; keyPem: string }, caPem: string, name: string) {
  const srv = createServer({ cert: server.certPem, key: server.keyPem }, (socket) => socket.end());
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  try {
    return await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca: caPem, servername: name }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
  } finally {
    srv.close();
  }
}

describe('service keys', () => {
  it('signing keys: one JSON array of a private Ed25519 JWK, the same on every start', async () => {
    const p = setup();
    const [a, b] = await Promise.all([provisionSigningKeys(p, 'jwt'), provisionSigningKeys(p, 'jwt')]);
    expect(a).toBe(b);
    expect(JSON.parse(a)).toEqual([expect.objectContaining({ kty: 'OKP', crv: 'Ed25519', d: expect.any(String) })]);
  });

  it('a caller key created on first start is published and verifies at sessions; a stranger key does not', async () => {
    const p = setup();
    const ids = { keySecretId: 'gw-key', publicKeySecretId: 'gw-pub' };
    const [key, again] = await Promise.all([
      provisionCallerKey(p, ids, undefined),
      provisionCallerKey(p, ids, undefined),
    ]);
    expect(again).toBe(key);
    expect((await p.store.read('gw-pub'))?.value).not.toContain('"d"');
    const keys = await loadCallerPublicKeys(p.store, { gateway: 'gw-pub', uploads: 'up-pub' });
    expect(Object.keys(keys)).toEqual(['gateway']);
    const verify = await createCallerTokenVerifier(keys);
    const sign = await createCallerTokenSigner('gateway', JSON.parse(key));
    await expect(verify(await sign(call))).resolves.toMatchObject({ service: 'gateway' });
    const stranger = JSON.parse(await provisionCallerKey(p, { keySecretId: 'up-key' }, undefined));
    const forged = await createCallerTokenSigner('gateway', stranger);
    await expect(verify(await forged(call))).rejects.toMatchObject({ code: 'unauthenticated' });
  });

  it('an env value wins over the secret, and is still published', async () => {
    const p = setup();
    const envKey = await provisionCallerKey(p, { keySecretId: 'up-key' }, undefined);
    await provisionCallerKey(p, { keySecretId: 'gw-key', publicKeySecretId: 'gw-pub' }, envKey);
    expect(await p.store.read('gw-key')).toBeUndefined();
    expect((await p.store.read('gw-pub'))?.value).toContain(JSON.parse(envKey).kid);
  });

  it('rotate: a new caller key, and sessions accepts both the new and the replaced one', async () => {
    const p = setup();
    const ids = { keySecretId: 'up-key', publicKeySecretId: 'up-pub' };
    const old = await provisionCallerKey(p, ids, undefined);
    await p.store.put('up-key', ROTATE_VALUE, 'operator-rotation-version-id-000001');
    const fresh = await provisionCallerKey(p, ids, undefined);
    expect(fresh).not.toBe(old);
    const verify = await createCallerTokenVerifier(await loadCallerPublicKeys(p.store, { uploads: 'up-pub' }));
    for (const key of [old, fresh]) {
      const sign = await createCallerTokenSigner('uploads', JSON.parse(key));
      await expect(verify(await sign(call))).resolves.toMatchObject({ service: 'uploads' });
    }
  });

  it('sessions TLS: one certificate for its name, trusted through the published CA only', async () => {
    const p = setup();
    const name = 'sessions.lfusys-dev.internal';
    expect(await awaitSessionsTlsCa(p, 'tls-ca').catch((err: Error) => err.message)).toMatch(/no value yet/);
    const [tls, again] = await Promise.all([
      provisionSessionsTls(p, { secretId: 'tls', caSecretId: 'tls-ca' }, name),
      provisionSessionsTls(p, { secretId: 'tls', caSecretId: 'tls-ca' }, name),
    ]);
    expect(again).toEqual(tls);
    const ca = await awaitSessionsTlsCa(p, 'tls-ca');
    expect(ca).toBe(tls.caPem);
    expect(await handshakes(tls, ca, name)).toBe(true);
    expect(await handshakes(tls, ca, 'sessions.elsewhere.internal')).toBe(false);
    // A certificate for the same name that sessions did not make (another deployment's) is refused.
    const other = setup();
    const impostor = await provisionSessionsTls(other, { secretId: 'tls', caSecretId: 'tls-ca' }, name);
    expect(await handshakes(impostor, ca, name)).toBe(false);
  });
});

describe('a damaged key secret', () => {
  it('stops the start with an error that names the secret and never quotes its value', async () => {
    const p = setup();
    const secretValue = '{"kty":"OKP","d":"SECRET-PRIVATE-SCALAR"';
    await p.store.put('gw-key', secretValue, 'operator-typo-version-id-0000000001');
    const err = await provisionCallerKey(p, { keySecretId: 'gw-key', publicKeySecretId: 'gw-pub' }, undefined).catch(
      (e: Error) => e,
    );
    expect(String((err as Error).message)).toBe('the caller key is not JSON');
    await p.store.put('tls', '{"certPem":"x","keyPem":"PRIVATE-PEM"}', 'operator-typo-version-id-0000000002');
    const tlsErr = await provisionSessionsTls(
      p,
      { secretId: 'tls', caSecretId: 'tls-ca' },
      'sessions.x.internal',
    ).catch((e: Error) => e);
    expect((tlsErr as Error).message).toBe('secret tls does not hold the expected value');
  });
});
