/** The browser upload engine: public API. */
export { type BackoffOptions, backoffDelay } from './backoff.ts';
export { transportFor } from './choose-transport.ts';
export { SESSION_ENDED } from './chunk-outcomes.ts';
export type { ChunkToSend, ChunkTransport } from './chunk-transport.ts';
export { realClock } from './clock.ts';
export { DirectTransport } from './direct-transport.ts';
export { UploadEngine } from './engine.ts';
export { FILE_HASH_SLICE_BYTES, sha256HexOfBlob } from './file-sha256.ts';
export { FINGERPRINT_EDGE_BYTES, fingerprint } from './fingerprint.ts';
export {
  createHttpUploadServer,
  type HttpUploadServerOptions,
  type JsonApi,
  parseRetryAfter,
} from './http-upload-server.ts';
export type { NetworkState } from './network-gate.ts';
export { alwaysOnline, browserNetwork, type NetworkPort, type OnlineEventTarget } from './network-port.ts';
export { RelayTransport } from './relay-transport.ts';
export {
  IndexedDbResumeStore,
  type IndexedDbResumeStoreOptions,
  MemoryResumeStore,
  RESUME_ENTRY_MAX_AGE_MS,
  type ResumeEntry,
} from './resume-store.ts';
export { FILE_CHANGED } from './sha256-declaration.ts';
export { CHECKSUM_MISMATCH } from './task-lifecycle.ts';
export {
  ApiError,
  type ChunkResponse,
  type Clock,
  type EngineOptions,
  type EngineSnapshot,
  type FailureReason,
  type FileProgress,
  type FileStatus,
  type FileWait,
  type Hasher,
  type NetworkWait,
  type PartsConfirmation,
  type PartToSign,
  type PutRequest,
  type ResumeStore,
  type ServerUploadState,
  type ServerUploadStatus,
  type SignedPart,
  type TransferMode,
  type UploadPlan,
  type UploadServer,
  type UploadSource,
} from './types.ts';
export { type HashWorker, subtleHasher, WorkerHasher } from './worker-hasher.ts';
