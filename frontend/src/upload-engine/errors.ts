import { ApiError, type FailureReason } from './types.ts';

/** A short human-readable description of a failure. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** HTTP statuses worth retrying: 408, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Network failures (anything but an `ApiError`) and API errors with a retryable status. */
export function isTransient(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status === 0 || isRetryableStatus(error.status);
}

/** The server's `Retry-After` carried by an `ApiError`. */
export function retryAfterOf(error: unknown): number | undefined {
  return error instanceof ApiError ? error.retryAfterSeconds : undefined;
}

/** A 404 from the API: the upload does not exist (any more). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** An `AbortError` like the platform's. */
export function abortError(message = 'The operation was aborted'): Error {
  return new DOMException(message, 'AbortError');
}

/** No HTTP answer at all (reset, refused, offline, DNS): anything but an `ApiError` with a status. */
export function isNetworkFailure(error: unknown): boolean {
  return !(error instanceof ApiError) || error.status === 0;
}

/** A 401 from the API: the login session is over (the client's silent refresh failed too). */
export function isUnauthenticated(error: unknown): boolean {
  return error instanceof ApiError && error.status === 401;
}

/** A 429 from the API: wait for `Retry-After`; not a failed attempt. */
export function isThrottled(error: unknown): boolean {
  return error instanceof ApiError && error.status === 429;
}

/** Why the server refused to open (or continue) an upload, as a {@link FailureReason}. */
export function failureReasonOf(error: unknown): FailureReason {
  if (!(error instanceof ApiError)) return error instanceof TypeError ? 'connection' : 'other';
  if (error.status === 401) return 'session';
  if (error.status === 404) return 'gone';
  if (error.code === 'payload_too_large' || error.status === 413) return 'too_large';
  if (error.details?.reason === 'quota_exceeded') return 'quota';
  if (error.code === 'too_many_uploads') return 'too_many_uploads';
  return error.status >= 500 ? 'server' : 'refused';
}
