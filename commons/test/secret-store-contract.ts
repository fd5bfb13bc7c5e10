import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ensureSecret,
  nextVersionId,
  publishSecret,
  type SecretStore,
  waitForSecret,
} from '../src/secrets/secret-store.ts';

/**
 * The behaviour every SecretStore adapter must have, and ensure/publish/wait on top of it: one
 * suite, run against the memory adapter (unit) and against Secrets Manager in moto (integration).
 * `create` returns the store and a function that creates an empty secret, as Terraform does.
 */
export function secretStoreContract(
  name: string,
  create: () => Promise<{ store: SecretStore; newSecret: () => Promise<string> }>,
): void {
  const generator = () => {
    let calls = 0;
    const generate = async () => `value-${++calls}-${randomUUID()}`;
    return { generate, calls: () => calls };
  };

  describe(`SecretStore contract: ${name}`, () => {
    it('reads nothing from a secret created without a value', async () => {
      const { store, newSecret } = await create();
      const id = await newSecret();
      expect(await store.read(id)).toBeUndefined();
      expect(await store.read(id, 'previous')).toBeUndefined();
    });

    it('keeps a version: the same id with the same value succeeds, with another value is refused', async () => {
      const { store, newSecret } = await create();
      const id = await newSecret();
      const versionId = nextVersionId(undefined);
      expect(await store.put(id, 'a', versionId)).toBe(true);
      expect(await store.put(id, 'a', versionId)).toBe(true);
      expect(await store.put(id, 'b', versionId)).toBe(false);
      expect(await store.read(id)).toEqual({ value: 'a', versionId });
    });

    it('moves the previous value to the previous stage', async () => {
      const { store, newSecret } = await create();
      const id = await newSecret();
      await store.put(id, 'old', nextVersionId(undefined));
      await store.put(id, 'new', nextVersionId(nextVersionId(undefined)));
      expect((await store.read(id))?.value).toBe('new');
      expect((await store.read(id, 'previous'))?.value).toBe('old');
    });

    it('ensure generates the first value once and then returns it', async () => {
      const { store, newSecret } = await create();
      const id = await newSecret();
      const { generate, calls } = generator();
      const first = await ensureSecret(store, id, generate);
      expect(await ensureSecret(store, id, generate)).toBe(first);
      expect(calls()).toBe(1);
      expect((await store.read(id))?.value).toBe(first);
    });

    it('two tasks ensuring at once end with one value, returned to both', async () => {
      const { store, newSecret } = await create();
      const id = await newSecret();
      const results = await Promise.all(Array.from({ length: 4 }, () => ensureSecret(store, id, generator().generate)));
      expect(new Set(results).size).toBe(1);
      expect((await store.read(id))?.value).toBe(results[0]);
    });

    it('ensure replaces a value `replace` rejects, once, however many tasks race', async () => {
      const { store, newSecret } = await create();
      const id = await newSecret();
      const old = await ensureSecret(store, id, async () => 'expiring');
      const replace = (value: string) => value === 'expiring';
      const results = await Promise.all(
        Array.from({ length: 3 }, () => ensureSecret(store, id, generator().generate, { replace })),
      );
      expect(new Set(results).size).toBe(1);
      expect(results[0]).not.toBe(old);
      expect((await store.read(id, 'previous'))?.value).toBe(old);
    });

    it('publish stores a value once, and an earlier value again becomes current', async () => {
      const { store, newSecret } = await create();
      const id = await newSecret();
      await Promise.all([publishSecret(store, id, 'k1'), publishSecret(store, id, 'k1')]);
      const first = await store.read(id);
      expect(first?.value).toBe('k1');
      await publishSecret(store, id, 'k1');
      expect((await store.read(id))?.versionId).toBe(first?.versionId);
      await publishSecret(store, id, 'k2');
      await publishSecret(store, id, 'k1');
      expect((await store.read(id))?.value).toBe('k1');
      expect((await store.read(id, 'previous'))?.value).toBe('k2');
    });

    it('wait returns a value published while it waits, and gives up after its timeout', async () => {
      const { store, newSecret } = await create();
      const id = await newSecret();
      let waits = 0;
      const value = await waitForSecret(store, id, {
        timeoutMs: 10_000,
        sleep: async () => {
          if (++waits === 2) await publishSecret(store, id, 'published');
        },
      });
      expect([value, waits]).toEqual(['published', 2]);
      const empty = await newSecret();
      await expect(waitForSecret(store, empty, { timeoutMs: 3, intervalMs: 1 })).rejects.toThrow(/no value yet/);
    });
  });
}
