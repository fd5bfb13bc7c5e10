import { Worker } from 'node:worker_threads';

/**
 * The SHA-256 of byte ranges of files, read and hashed in a worker thread, as the web app hashes
 * its chunks in a Web Worker: the client's event loop stays free to send PUTs and take the
 * answers of signing calls while parts are hashed (the bench client used to hash on it, and a
 * signing answer could wait 10–25 ms behind a lane's 16 MiB hash). One worker, one request at a
 * time, one read buffer reused for every range. Like the page's Worker, it is started once and
 * serves every upload (starting a thread takes tens of milliseconds).
 */
export class PartHasher {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (sha256: string) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor() {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    // An idle hasher does not keep the process alive; one with asks pending does.
    this.worker.unref();
    this.worker.on('message', (answer: HashAnswer) => {
      const waiter = this.pending.get(answer.id);
      this.pending.delete(answer.id);
      if (this.pending.size === 0) this.worker.unref();
      if ('sha256' in answer) waiter?.resolve(answer.sha256);
      else waiter?.reject(new Error(answer.error));
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`the hashing worker exited (${code})`)));
  }

  /** The base64 SHA-256 of bytes [start, end) of the file at `path`. */
  sha256(path: string, start: number, end: number): Promise<string> {
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, path, start, end } satisfies HashAsk);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(err: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(err);
    this.pending.clear();
  }
}

interface HashAsk {
  id: number;
  path: string;
  start: number;
  end: number;
}

type HashAnswer = { id: number; sha256: string } | { id: number; error: string };

/**
 * The worker's side, as source (the bench runs TypeScript through a loader that worker threads do
 * not inherit): answers each ask in turn, reading into one buffer that grows as needed.
 */
const WORKER_SOURCE = `
const { createHash } = require('node:crypto');
const { open } = require('node:fs/promises');
const { parentPort } = require('node:worker_threads');
let buffer = Buffer.alloc(0);
let queue = Promise.resolve();
parentPort.on('message', (ask) => {
  queue = queue.then(async () => {
    try {
      const length = ask.end - ask.start;
      if (buffer.length < length) buffer = Buffer.allocUnsafe(length);
      const handle = await open(ask.path, 'r');
      try {
        for (let offset = 0; offset < length; ) {
          const { bytesRead } = await handle.read(buffer, offset, length - offset, ask.start + offset);
          if (bytesRead === 0) throw new Error(ask.path + ' ended at ' + (ask.start + offset) + ', expected ' + ask.end);
          offset += bytesRead;
        }
      } finally {
        await handle.close();
      }
      parentPort.postMessage({ id: ask.id, sha256: createHash('sha256').update(buffer.subarray(0, length)).digest('base64') });
    } catch (err) {
      parentPort.postMessage({ id: ask.id, error: err.message });
    }
  });
});
`;
