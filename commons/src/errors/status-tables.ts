import { ERROR_CODES, type ErrorCode } from './app-error.ts';

/**
 * The one table from error code to transport status: the HTTP status the edges answer with, and
 * the gRPC status number (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). Every other
 * mapping (HTTP_STATUS, GRPC_STATUS and both inverses) is derived from it.
 */
const STATUS: Readonly<Record<ErrorCode, { http: number; grpc: number }>> = {
  invalid_argument: { http: 400, grpc: 3 },
  unauthenticated: { http: 401, grpc: 16 },
  permission_denied: { http: 403, grpc: 7 },
  not_found: { http: 404, grpc: 5 },
  already_exists: { http: 409, grpc: 6 },
  // The resource's state forbids the action (e.g. a chunk for a completed upload): a conflict.
  failed_precondition: { http: 409, grpc: 9 },
  aborted: { http: 409, grpc: 10 },
  resource_exhausted: { http: 429, grpc: 8 },
  too_many_requests: { http: 429, grpc: 8 },
  too_many_uploads: { http: 429, grpc: 8 },
  payload_too_large: { http: 413, grpc: 8 },
  unsupported_media_type: { http: 415, grpc: 3 },
  deadline_exceeded: { http: 504, grpc: 4 },
  unavailable: { http: 503, grpc: 14 },
  unimplemented: { http: 501, grpc: 12 },
  internal: { http: 500, grpc: 13 },
};

const column = (transport: 'http' | 'grpc'): Readonly<Record<ErrorCode, number>> =>
  Object.freeze(Object.fromEntries(ERROR_CODES.map((code) => [code, STATUS[code][transport]]))) as Record<
    ErrorCode,
    number
  >;

/**
 * A status back to a code: the first code in ERROR_CODES with that status, so each status maps to
 * its canonical code (8 → `resource_exhausted`, 3 → `invalid_argument`), never a specialised one.
 */
function inverse(table: Readonly<Record<ErrorCode, number>>): ReadonlyMap<number, ErrorCode> {
  const map = new Map<number, ErrorCode>();
  for (const code of ERROR_CODES) if (!map.has(table[code])) map.set(table[code], code);
  return map;
}

/** Error code → HTTP status, used only at HTTP edges. */
export const HTTP_STATUS = column('http');

/** Error code → gRPC status number, used only at gRPC edges. */
export const GRPC_STATUS = column('grpc');

const CODE_FOR_GRPC = inverse(GRPC_STATUS);
const CODE_FOR_HTTP = inverse(HTTP_STATUS);

/** Inverse of GRPC_STATUS for clients decoding a gRPC error; unknown numbers are `internal`. */
export function errorCodeFromGrpcStatus(status: number): ErrorCode {
  return CODE_FOR_GRPC.get(status) ?? 'internal';
}

/**
 * Inverse of HTTP_STATUS for errors a framework raised with only a status (a body too large, an
 * unsupported content type): other 4xx are `invalid_argument`, other statuses `internal`.
 */
export function errorCodeFromHttpStatus(status: number): ErrorCode {
  return CODE_FOR_HTTP.get(status) ?? (status >= 400 && status < 500 ? 'invalid_argument' : 'internal');
}
