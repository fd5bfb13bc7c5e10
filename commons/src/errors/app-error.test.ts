import { describe, expect, it } from 'vitest';
import { AppError, ERROR_CODES } from './app-error.ts';
import { errorCodeFromGrpcStatus, errorCodeFromHttpStatus, GRPC_STATUS, HTTP_STATUS } from './status-tables.ts';

describe('AppError', () => {
  it('normalises unknown throwables to internal, keeping the cause', () => {
    const cause = new Error('socket hang up');
    const err = AppError.from(cause);
    expect(err.code).toBe('internal');
    expect(err.cause).toBe(cause);
    expect(err.message).toBe('internal error');
    expect(AppError.from('a string').code).toBe('internal');
  });

  it('passes AppErrors through unchanged', () => {
    const err = new AppError('not_found', 'no such upload');
    expect(AppError.from(err)).toBe(err);
    expect(AppError.isCode(err, 'not_found')).toBe(true);
  });
});

describe('status tables', () => {
  it('map every code to an HTTP and a gRPC status', () => {
    for (const code of ERROR_CODES) {
      expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
      expect(GRPC_STATUS[code]).toBeGreaterThan(0);
    }
  });

  it('only use 5xx for server-side failures', () => {
    const serverSide = ERROR_CODES.filter((c) => HTTP_STATUS[c] >= 500).sort();
    expect(serverSide).toEqual(['deadline_exceeded', 'internal', 'unavailable', 'unimplemented']);
  });

  it('round-trip gRPC statuses for the codes gRPC has', () => {
    for (const code of ERROR_CODES) {
      // These share a gRPC status with a canonical code; the x-error-code trailer carries them.
      if (['payload_too_large', 'unsupported_media_type', 'too_many_requests', 'too_many_uploads'].includes(code))
        continue;
      expect(errorCodeFromGrpcStatus(GRPC_STATUS[code])).toBe(code);
    }
    expect(errorCodeFromGrpcStatus(2)).toBe('internal');
  });

  it('read an HTTP status a framework raised back as the canonical code for it', () => {
    expect([413, 415, 404, 429, 409].map(errorCodeFromHttpStatus)).toEqual([
      'payload_too_large',
      'unsupported_media_type',
      'not_found',
      'resource_exhausted',
      'already_exists',
    ]);
    expect([405, 418, 502].map(errorCodeFromHttpStatus)).toEqual(['invalid_argument', 'invalid_argument', 'internal']);
  });
});
