import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { AppError, ERROR_CODES, type ErrorCode } from '../errors/app-error.ts';
import { errorCodeFromGrpcStatus, GRPC_STATUS } from '../errors/status-tables.ts';

/** Trailer carrying our closed error code, so HTTP-only codes (e.g. payload_too_large) survive the hop. */
const CODE_TRAILER = 'x-error-code';
const RETRY_TRAILER = 'x-retry-after';
/** Client-safe details (e.g. `{field}` or `{reason: 'quota_exceeded'}`) as JSON. */
const DETAILS_TRAILER = 'x-error-details';
const MAX_DETAILS_BYTES = 2048;

const isErrorCode = (value: unknown): value is ErrorCode =>
  typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);

function parseDetails(raw: unknown): Record<string, unknown> | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_DETAILS_BYTES) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** An AppError as a gRPC error: the status from the table, the code and safe message preserved. */
export function toGrpcError(err: unknown): Partial<ServiceError> {
  const appError = AppError.from(err);
  const metadata = new Metadata();
  metadata.set(CODE_TRAILER, appError.code);
  if (appError.retryAfterSeconds !== undefined) metadata.set(RETRY_TRAILER, String(appError.retryAfterSeconds));
  if (appError.details && appError.code !== 'internal') {
    const json = JSON.stringify(appError.details);
    if (json.length <= MAX_DETAILS_BYTES) metadata.set(DETAILS_TRAILER, json);
  }
  const message = appError.code === 'internal' ? 'internal error' : appError.message;
  return { code: GRPC_STATUS[appError.code], details: message, message, metadata };
}

/** A gRPC client error back as an AppError; transport failures become `unavailable`/`deadline_exceeded`. */
export function fromGrpcError(err: unknown): AppError {
  const grpcError = err as Partial<ServiceError>;
  if (typeof grpcError.code !== 'number') return AppError.from(err);
  const declared = grpcError.metadata?.get(CODE_TRAILER)[0];
  const code = isErrorCode(declared) ? declared : errorCodeFromGrpcStatus(grpcError.code);
  const retry = Number(grpcError.metadata?.get(RETRY_TRAILER)[0]);
  const details = parseDetails(grpcError.metadata?.get(DETAILS_TRAILER)[0]);
  const message =
    grpcError.code === status.DEADLINE_EXCEEDED
      ? 'upstream service timed out'
      : grpcError.code === status.UNAVAILABLE && declared === undefined
        ? 'upstream service unavailable'
        : (grpcError.details ?? 'upstream error');
  return new AppError(code, message, {
    cause: err,
    ...(Number.isFinite(retry) ? { retryAfterSeconds: retry } : {}),
    ...(details ? { details } : {}),
  });
}
