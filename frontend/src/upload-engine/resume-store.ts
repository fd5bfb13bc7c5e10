import type { ResumeStore } from './types.ts';

/** What a {@link ResumeStore} keeps per fingerprint. */
export interface ResumeEntry {
  uploadId: string;
  savedAt: number;
}

/** Entries older than this are treated as absent (the server upload has expired by then). */
export const RESUME_ENTRY_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

const DB_NAME = 'lfusys-uploads';
const DB_VERSION = 1;
const STORE_NAME = 'resume';

/** Options of {@link IndexedDbResumeStore}; the defaults suit the app. */
export interface IndexedDbResumeStoreOptions {
  /** Defaults to the global `indexedDB`, looked up on first use. */
  indexedDB?: IDBFactory;
  /** Defaults to `Date.now`. */
  now?: () => number;
  /** Defaults to {@link RESUME_ENTRY_MAX_AGE_MS}. */
  maxAgeMs?: number;
}

function isResumeEntry(value: unknown): value is ResumeEntry {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.uploadId === 'string' && typeof entry.savedAt === 'number';
}

/**
 * Keeps resume entries in IndexedDB (database `lfusys-uploads`, object store `resume`, keyed by
 * fingerprint), so an upload interrupted by a reload or a crash continues where it stopped. The
 * database is opened on first use; entries older than 7 days are deleted when read.
 */
export class IndexedDbResumeStore implements ResumeStore {
  private db: Promise<IDBDatabase> | undefined;
  private readonly now: () => number;
  private readonly maxAgeMs: number;

  constructor(private readonly options: IndexedDbResumeStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.maxAgeMs = options.maxAgeMs ?? RESUME_ENTRY_MAX_AGE_MS;
  }

  async get(fingerprint: string): Promise<ResumeEntry | undefined> {
    const value = await this.run('readonly', (store) => store.get(fingerprint));
    if (!isResumeEntry(value)) {
      if (value !== undefined) await this.delete(fingerprint);
      return undefined;
    }
    if (this.isExpired(value)) {
      await this.delete(fingerprint);
      return undefined;
    }
    return { uploadId: value.uploadId, savedAt: value.savedAt };
  }

  async put(fingerprint: string, entry: ResumeEntry): Promise<void> {
    await this.run('readwrite', (store) =>
      store.put({ uploadId: entry.uploadId, savedAt: entry.savedAt }, fingerprint),
    );
  }

  async delete(fingerprint: string): Promise<void> {
    await this.run('readwrite', (store) => store.delete(fingerprint));
  }

  /** Deletes every expired entry; returns how many. */
  async prune(): Promise<number> {
    const db = await this.open();
    return new Promise<number>((resolve, reject) => {
      const tx = db.transaction(STORE_NAME, 'readwrite');
      let removed = 0;
      const cursorRequest = tx.objectStore(STORE_NAME).openCursor();
      cursorRequest.onsuccess = () => {
        const cursor = cursorRequest.result;
        if (!cursor) return;
        if (!isResumeEntry(cursor.value) || this.isExpired(cursor.value)) {
          cursor.delete();
          removed++;
        }
        cursor.continue();
      };
      tx.oncomplete = () => resolve(removed);
      tx.onerror = () => reject(tx.error ?? new Error('resume store transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('resume store transaction aborted'));
    });
  }

  /** Closes the database (it reopens on the next call). */
  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    if (db) (await db.catch(() => undefined))?.close();
  }

  private isExpired(entry: ResumeEntry): boolean {
    return this.now() - entry.savedAt > this.maxAgeMs;
  }

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const factory = this.options.indexedDB ?? globalThis.indexedDB;
      if (!factory) {
        reject(new Error('IndexedDB is not available'));
        return;
      }
      const request = factory.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => {
        if (!request.result.objectStoreNames.contains(STORE_NAME)) request.result.createObjectStore(STORE_NAME);
      };
      request.onsuccess = () => {
        const db = request.result;
        // Another tab upgrading the schema: step aside, reopen on the next call.
        db.onversionchange = () => {
          db.close();
          this.db = undefined;
        };
        resolve(db);
      };
      request.onerror = () => reject(request.error ?? new Error('cannot open IndexedDB'));
      request.onblocked = () => reject(new Error('IndexedDB open is blocked by another tab'));
    }).catch((error: unknown) => {
      this.db = undefined;
      throw error;
    });
    return this.db;
  }

  private async run<T>(mode: IDBTransactionMode, operation: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
    const db = await this.open();
    return new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE_NAME, mode);
      const request = operation(tx.objectStore(STORE_NAME));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? request.error ?? new Error('resume store transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('resume store transaction aborted'));
    });
  }
}

/** Keeps resume entries in memory for the page's lifetime (tests, and browsers without IndexedDB). */
export class MemoryResumeStore implements ResumeStore {
  private readonly entries = new Map<string, ResumeEntry>();

  async get(fingerprint: string): Promise<ResumeEntry | undefined> {
    const entry = this.entries.get(fingerprint);
    return entry ? { ...entry } : undefined;
  }

  async put(fingerprint: string, entry: ResumeEntry): Promise<void> {
    this.entries.set(fingerprint, { uploadId: entry.uploadId, savedAt: entry.savedAt });
  }

  async delete(fingerprint: string): Promise<void> {
    this.entries.delete(fingerprint);
  }

  /** How many entries are held (tests). */
  get size(): number {
    return this.entries.size;
  }
}
