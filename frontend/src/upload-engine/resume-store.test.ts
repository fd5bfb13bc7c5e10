import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { IndexedDbResumeStore, MemoryResumeStore, RESUME_ENTRY_MAX_AGE_MS } from './resume-store.ts';

const DAY = 24 * 60 * 60 * 1000;
const stores: IndexedDbResumeStore[] = [];

function open(now: () => number = () => 10 * DAY): IndexedDbResumeStore {
  const store = new IndexedDbResumeStore({ now });
  stores.push(store);
  return store;
}

afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
});

describe('IndexedDbResumeStore', () => {
  it('round-trips entries across instances (same database)', async () => {
    const store = open();
    expect(await store.get('fp-round-trip')).toBeUndefined();
    await store.put('fp-round-trip', { uploadId: 'u-1', savedAt: 9 * DAY });
    expect(await store.get('fp-round-trip')).toEqual({ uploadId: 'u-1', savedAt: 9 * DAY });
    expect(await open().get('fp-round-trip')).toEqual({ uploadId: 'u-1', savedAt: 9 * DAY });

    await store.put('fp-round-trip', { uploadId: 'u-2', savedAt: 9 * DAY });
    expect((await store.get('fp-round-trip'))?.uploadId).toBe('u-2');
    await store.delete('fp-round-trip');
    expect(await store.get('fp-round-trip')).toBeUndefined();
  });

  it('uses the lfusys-uploads database and its resume object store', async () => {
    await open().put('fp-layout', { uploadId: 'u', savedAt: 10 * DAY });
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open('lfusys-uploads');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    expect([...db.objectStoreNames]).toEqual(['resume']);
    db.close();
  });

  it('treats entries older than 7 days as absent and deletes them', async () => {
    let now = 10 * DAY;
    const store = open(() => now);
    await store.put('fp-old', { uploadId: 'u-old', savedAt: now - RESUME_ENTRY_MAX_AGE_MS });
    expect(await store.get('fp-old')).toEqual({ uploadId: 'u-old', savedAt: now - RESUME_ENTRY_MAX_AGE_MS });
    now += 1;
    expect(await store.get('fp-old')).toBeUndefined();
    // Deleted, not just hidden: even a reader with an earlier clock no longer finds it.
    expect(await open(() => 0).get('fp-old')).toBeUndefined();
  });

  it('prunes every expired entry', async () => {
    const store = open(() => 20 * DAY);
    await store.put('fp-prune-old', { uploadId: 'a', savedAt: 1 * DAY });
    await store.put('fp-prune-new', { uploadId: 'b', savedAt: 19 * DAY });
    expect(await store.prune()).toBeGreaterThanOrEqual(1);
    expect(await open(() => 0).get('fp-prune-old')).toBeUndefined();
    expect(await store.get('fp-prune-new')).toEqual({ uploadId: 'b', savedAt: 19 * DAY });
  });

  it('rejects when IndexedDB is missing, without touching it at construction', async () => {
    const store = new IndexedDbResumeStore();
    const saved = globalThis.indexedDB;
    Object.defineProperty(globalThis, 'indexedDB', { value: undefined, configurable: true, writable: true });
    try {
      await expect(store.get('x')).rejects.toThrow(/not available/);
    } finally {
      Object.defineProperty(globalThis, 'indexedDB', { value: saved, configurable: true, writable: true });
    }
  });
});

describe('MemoryResumeStore', () => {
  it('round-trips entries', async () => {
    const store = new MemoryResumeStore();
    await store.put('fp', { uploadId: 'u', savedAt: 1 });
    expect(await store.get('fp')).toEqual({ uploadId: 'u', savedAt: 1 });
    expect(store.size).toBe(1);
    await store.delete('fp');
    expect(await store.get('fp')).toBeUndefined();
  });
});
