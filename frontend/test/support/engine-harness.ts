/**
 * The engine under test with its fakes wired (manual clock, fake server, fake network) and the
 * helpers the engine's test files share. Not part of the public API.
 */
import { afterEach } from 'vitest';
import { UploadEngine } from '../../src/upload-engine/engine.ts';
import { MemoryResumeStore } from '../../src/upload-engine/resume-store.ts';
import { subtleHasher } from '../../src/upload-engine/sha256.ts';
import type { EngineOptions, FileProgress, FileStatus, TransferMode } from '../../src/upload-engine/types.ts';
import { ManualClock, settle, until } from './clock.ts';
import { FakeNetwork } from './fake-network.ts';
import { FakeServer } from './fake-server.ts';
import type { TestSource } from './sources.ts';
import { TestHasher } from './test-hasher.ts';

export const KIB = 1024;
export const POLL_MS = 1000;

export interface Harness {
  clock: ManualClock;
  server: FakeServer;
  network: FakeNetwork;
  store: MemoryResumeStore;
  hasher: TestHasher;
  engine: UploadEngine;
  /** The file's entry in the latest snapshot. */
  file(id: string): FileProgress;
  status(id: string): FileStatus;
  /** Statuses each file went through, in order (from published snapshots). */
  history: Map<string, FileStatus[]>;
  /** Acknowledged bytes of each file in every published snapshot, in order. */
  acked: Map<string, number[]>;
  notifications: number;
}

const engines: UploadEngine[] = [];
afterEach(() => {
  for (const engine of engines.splice(0)) engine.dispose();
});

/**
 * The engine against the fake server. `transfer` is the mode the server gives new uploads
 * (`none`: a server that predates direct transfer and names no mode).
 */
export function setup(
  options: Partial<EngineOptions> = {},
  chunkSize = KIB,
  transfer: TransferMode | 'none' = 'relay',
): Harness {
  const clock = new ManualClock();
  const server = new FakeServer(clock);
  server.chunkSize = chunkSize;
  server.transfer = transfer === 'none' ? undefined : transfer;
  const network = new FakeNetwork();
  const store = new MemoryResumeStore();
  const hasher = new TestHasher();
  const engine = new UploadEngine({
    server,
    hasher,
    store,
    clock,
    network,
    random: () => 0.5,
    concurrency: 2,
    stallTimeoutMs: 5000,
    maxAttempts: 4,
    backoffBaseMs: 100,
    backoffCapMs: 1000,
    pollIntervalMs: POLL_MS,
    ...options,
  });
  engines.push(engine);
  const harness: Harness = {
    clock,
    server,
    network,
    store,
    hasher,
    engine,
    file(id) {
      const file = engine.getSnapshot().files.find((f) => f.id === id);
      if (!file) throw new Error(`no file ${id}`);
      return file;
    },
    status: (id) => harness.file(id).status,
    history: new Map(),
    acked: new Map(),
    notifications: 0,
  };
  engine.subscribe(() => {
    harness.notifications++;
    for (const file of engine.getSnapshot().files) {
      const seen = harness.history.get(file.id) ?? [];
      if (seen[seen.length - 1] !== file.status) seen.push(file.status);
      harness.history.set(file.id, seen);
      harness.acked.set(file.id, [...(harness.acked.get(file.id) ?? []), file.bytesAcked]);
    }
  });
  return harness;
}

export function addOne(h: Harness, source: TestSource): string {
  const [id] = h.engine.add([source]);
  if (id === undefined) throw new Error('add returned no id');
  return id;
}

/** Waits for every chunk of the only upload, then lets the processing polls run. */
export async function finishProcessing(h: Harness, id: string): Promise<void> {
  const sending: FileStatus[] = ['queued', 'preparing', 'uploading'];
  await until(() => !sending.includes(h.status(id)), `${id} sent`);
  for (let i = 0; i < 10 && h.status(id) === 'processing'; i++) {
    await h.clock.advance(POLL_MS);
    await settle();
  }
}

/** Base64 SHA-256, as chunks carry it. */
export async function sha256Of(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return subtleHasher.sha256(new Blob([bytes]));
}

/** Hex SHA-256, as the whole file is declared (computed apart from the code under test). */
export async function sha256HexOf(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
