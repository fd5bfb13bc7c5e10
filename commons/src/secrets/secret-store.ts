import { createHash } from 'node:crypto';

/** One stored version of a secret. */
export interface SecretVersion {
  value: string;
  versionId: string;
}

/** Which version to read: the current one, or the one it replaced (AWS staging labels). */
export type SecretStage = 'current' | 'previous';

/**
 * A secret store holding versioned string values (port). Secrets are created by the deployment
 * (Terraform) without a value; the services put their values (docs/security.md "Where keys come from").
 */
export interface SecretStore {
  /** The version at `stage`, or undefined when the secret has none (yet). */
  read(secretId: string, stage?: SecretStage): Promise<SecretVersion | undefined>;
  /**
   * Stores `value` as the new current version with id `versionId`. Putting the same id with the
   * same value again is a no-op that succeeds; the same id with another value returns false and
   * changes nothing (an existing version cannot be modified), which is how racing writers agree.
   */
  put(secretId: string, value: string, versionId: string): Promise<boolean>;
}

/**
 * The version id of the value that follows `previous` (undefined: the secret's first value). Every
 * writer that saw the same state derives the same id, so of two racing writers exactly one wins.
 * Secrets Manager's ClientRequestToken (the new VersionId) must be 32–64 characters.
 */
export function nextVersionId(previous: string | undefined, salt = 'generated'): string {
  return `lfusys-${createHash('sha256')
    .update(`${salt}\0${previous ?? ''}`)
    .digest('hex')
    .slice(0, 48)}`;
}

export interface EnsureOptions {
  /** A current value this returns true for is replaced by a generated one (e.g. a certificate near its expiry). */
  replace?: (value: string) => boolean;
}

/**
 * The secret's current value; when it has none yet (or `replace` says so), one made by `generate`.
 * Tasks starting at once may all generate, but only one value is stored: the others lose the put
 * and return the winner's value. So the holder of a private key creates it on its first start.
 */
export async function ensureSecret(
  store: SecretStore,
  secretId: string,
  generate: () => Promise<string>,
  options: EnsureOptions = {},
): Promise<string> {
  const current = await store.read(secretId);
  if (current && !options.replace?.(current.value)) return current.value;
  const value = await generate();
  if (await store.put(secretId, value, nextVersionId(current?.versionId))) return value;
  const winner = await store.read(secretId);
  if (!winner) throw new Error(`secret ${secretId}: lost the first put but found no value`);
  return winner.value;
}

/**
 * Makes `value` the secret's current value (a public key, a certificate), unless it already is.
 * Tasks publishing the same value at once store one version between them.
 */
export async function publishSecret(store: SecretStore, secretId: string, value: string): Promise<void> {
  const current = await store.read(secretId);
  if (current?.value === value) return;
  // The id depends on the value and on the version it follows: racing publishers of one value
  // store one version, and publishing an earlier value again (a rollback) still makes it current.
  await store.put(secretId, value, nextVersionId(current?.versionId, createHash('sha256').update(value).digest('hex')));
}

export interface WaitOptions {
  /** Give up after this long (the task exits and its scheduler restarts it). */
  timeoutMs: number;
  intervalMs?: number;
  /** Called before each wait, e.g. to log what is awaited. */
  onWait?: (attempt: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** The secret's current value once a peer has published it: a caller may start before the service it trusts. */
export async function waitForSecret(store: SecretStore, secretId: string, options: WaitOptions): Promise<string> {
  const interval = options.intervalMs ?? 2000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    const current = await store.read(secretId);
    if (current) return current.value;
    if (attempt * interval > options.timeoutMs) throw new Error(`secret ${secretId} has no value yet`);
    options.onWait?.(attempt);
    await sleep(interval);
  }
}
