import type { ErrorCode } from './app-error.ts';

/** One table from error code to HTTP status, used only at HTTP edges. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  aborted: 409,
  // The resource's state forbids the action (e.g. a chunk for a completed upload): a conflict.
  failed_precondition: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  resource_exhausted: 429,
  too_many_requests: 429,
  too_many_uploads: 429,
  internal: 500,
  unimplemented: 501,
  unavailable: 503,
  deadline_exceeded: 504,
});

/** gRPC status numbers (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GRPC_STATUS: Readonly<Record<ErrorCode, number>> = Object.freeze({
  invalid_argument: 3,
  deadline_exceeded: 4,
  not_found: 5,
  already_exists: 6,
  permission_denied: 7,
  resource_exhausted: 8,
  too_many_requests: 8,
  too_many_uploads: 8,
  payload_too_large: 8,
  failed_precondition: 9,
  aborted: 10,
  unsupported_media_type: 3,
  unimplemented: 12,
  internal: 13,
  unavailable: 14,
  unauthenticated: 16,
});

/** Inverse of GRPC_STATUS for clients decoding a gRPC error; unknown numbers are `internal`. */
export function errorCodeFromGrpcStatus(status: number): ErrorCode {
  const table: Record<number, ErrorCode> = {
    3: 'invalid_argument',
    4: 'deadline_exceeded',
    5: 'not_found',
    6: 'already_exists',
    7: 'permission_denied',
    8: 'resource_exhausted',
    9: 'failed_precondition',
    10: 'aborted',
    12: 'unimplemented',
    14: 'unavailable',
    16: 'unauthenticated',
  };
  return table[status] ?? 'internal';
}
