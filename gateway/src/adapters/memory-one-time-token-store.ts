import type { OneTimeTokenPurpose, OneTimeTokenRecord, OneTimeTokenStore } from '../ports/one-time-token-store.ts';

/** In-process one-time tokens (unit tests of the account flows). */
export class MemoryOneTimeTokenStore implements OneTimeTokenStore {
  private readonly records = new Map<string, OneTimeTokenRecord>();

  async put(record: OneTimeTokenRecord): Promise<void> {
    this.records.set(`${record.purpose}#${record.hash}`, { ...record });
  }

  async consume(purpose: OneTimeTokenPurpose, hash: string): Promise<OneTimeTokenRecord | null> {
    const key = `${purpose}#${hash}`;
    const record = this.records.get(key);
    this.records.delete(key);
    return record ?? null;
  }
}
