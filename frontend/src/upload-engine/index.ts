/** The browser upload engine: public API. */
export { type BackoffOptions, backoffDelay } from './backoff.ts';
export { SESSION_ENDED } from './chunk-outcomes.ts';
export { realClock } from './clock.ts';
export { UploadEngine } from './engine.ts';
export { FINGERPRINT_EDGE_BYTES, fingerprint } from './fingerprint.ts';
export { createHttpTransport, type HttpTransportOptions, type JsonApi, parseRetryAfter } from './http-transport.ts';
export type { NetworkState } from './network-gate.ts';
export { alwaysOnline, browserNetwork, type NetworkPort, type OnlineEventTarget } from './network-port.ts';
export {
  IndexedDbResumeStore,
  type IndexedDbResumeStoreOptions,
  MemoryResumeStore,
  RESUME_ENTRY_MAX_AGE_MS,
  type ResumeEntry,
} from './resume-store.ts';
export {
  ApiError,
  type ChunkResponse,
  type Clock,
  type EngineOptions,
  type EngineSnapshot,
  type FileProgress,
  type FileStatus,
  type Hasher,
  type NetworkWait,
  type PutChunkRequest,
  type ResumeStore,
  type ServerUploadState,
  type ServerUploadStatus,
  type Transport,
  type UploadPlan,
  type UploadSource,
} from './types.ts';
export { type HashWorker, subtleHasher, WorkerHasher } from './worker-hasher.ts';
