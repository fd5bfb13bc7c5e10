/**
 * The closed set of error codes, mirroring gRPC's canonical codes (plus two HTTP-only ones), in
 * the lower_snake form the HTTP API shows. Domain code throws only these.
 */
export const ERROR_CODES = [
  'invalid_argument',
  'unauthenticated',
  'permission_denied',
  'not_found',
  'already_exists',
  'failed_precondition',
  'aborted',
  'resource_exhausted',
  // Per-user limits (DESIGN.md §9.3): both 429 with Retry-After, distinct so clients can tell
  // "slow down" from "finish or cancel some uploads first".
  'too_many_requests',
  'too_many_uploads',
  'payload_too_large',
  'unsupported_media_type',
  'deadline_exceeded',
  'unavailable',
  'unimplemented',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  cause?: unknown;
  /** Safe, structured detail for clients (e.g. which field failed). Never internal state. */
  details?: Record<string, unknown>;
  /** Seconds a client should wait before retrying (sent as `Retry-After`). */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** Normalises anything thrown into an AppError; unknown failures become `internal`, keeping `cause`. */
  static from(err: unknown): AppError {
    if (err instanceof AppError) return err;
    return new AppError('internal', 'internal error', { cause: err });
  }

  static isCode(err: unknown, code: ErrorCode): boolean {
    return err instanceof AppError && err.code === code;
  }
}
