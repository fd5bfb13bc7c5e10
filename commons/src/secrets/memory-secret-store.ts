import type { SecretStage, SecretStore, SecretVersion } from './secret-store.ts';

interface StoredSecret {
  versions: Map<string, string>;
  current?: string | undefined;
  previous?: string | undefined;
}

/** In-process SecretStore with Secrets Manager's version rules, for unit tests. Secrets are created empty. */
export class MemorySecretStore implements SecretStore {
  readonly #secrets = new Map<string, StoredSecret>();

  /** Creates an empty secret, as the deployment does. */
  create(secretId: string): void {
    if (!this.#secrets.has(secretId)) this.#secrets.set(secretId, { versions: new Map() });
  }

  async read(secretId: string, stage: SecretStage = 'current'): Promise<SecretVersion | undefined> {
    const secret = this.#get(secretId);
    const versionId = stage === 'current' ? secret.current : secret.previous;
    if (versionId === undefined) return undefined;
    return { value: secret.versions.get(versionId) as string, versionId };
  }

  async put(secretId: string, value: string, versionId: string): Promise<boolean> {
    const secret = this.#get(secretId);
    const existing = secret.versions.get(versionId);
    if (existing !== undefined) return existing === value;
    secret.versions.set(versionId, value);
    secret.previous = secret.current;
    secret.current = versionId;
    return true;
  }

  #get(secretId: string): StoredSecret {
    const secret = this.#secrets.get(secretId);
    if (!secret) throw new Error(`secret ${secretId} does not exist`);
    return secret;
  }
}
