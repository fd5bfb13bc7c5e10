import { Metadata, type ServiceError, status } from '@grpc/grpc-js';
import { AppError, type ErrorCode } from '../errors/app-error.ts';
import { errorCodeFromGrpcStatus, GRPC_STATUS } from '../errors/status-tables.ts';

/** Trailer carrying our closed error code, so HTTP-only codes (e.g. payload_too_large) survive the hop. */
const CODE_TRAILER = 'x-error-code';
const RETRY_TRAILER = 'x-retry-after';

/** An AppError as a gRPC error: the status from the table, the code and safe message preserved. */
export function toGrpcError(err: unknown): Partial<ServiceError> {
  const appError = AppError.from(err);
  const metadata = new Metadata();
  metadata.set(CODE_TRAILER, appError.code);
  if (appError.retryAfterSeconds !== undefined) metadata.set(RETRY_TRAILER, String(appError.retryAfterSeconds));
  const message = appError.code === 'internal' ? 'internal error' : appError.message;
  return { code: GRPC_STATUS[appError.code], details: message, message, metadata };
}

/** A gRPC client error back as an AppError; transport failures become `unavailable`/`deadline_exceeded`. */
export function fromGrpcError(err: unknown): AppError {
  const grpcError = err as Partial<ServiceError>;
  if (typeof grpcError.code !== 'number') return AppError.from(err);
  const declared = grpcError.metadata?.get(CODE_TRAILER)[0];
  const code = (typeof declared === 'string' ? declared : errorCodeFromGrpcStatus(grpcError.code)) as ErrorCode;
  const retry = Number(grpcError.metadata?.get(RETRY_TRAILER)[0]);
  const message =
    grpcError.code === status.DEADLINE_EXCEEDED
      ? 'upstream service timed out'
      : grpcError.code === status.UNAVAILABLE && declared === undefined
        ? 'upstream service unavailable'
        : (grpcError.details ?? 'upstream error');
  return new AppError(code, message, { cause: err, ...(Number.isFinite(retry) ? { retryAfterSeconds: retry } : {}) });
}
