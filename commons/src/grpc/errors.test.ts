import { Metadata, status } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error.ts';
import { fromGrpcError, toGrpcError } from './errors.ts';

const roundTrip = (err: unknown) => fromGrpcError(toGrpcError(err));

describe('errors across gRPC', () => {
  it('keeps the closed code, message, details and retry hint', () => {
    const back = roundTrip(
      new AppError('permission_denied', 'storage quota exceeded', {
        details: { reason: 'quota_exceeded' },
        retryAfterSeconds: 7,
      }),
    );
    expect(back).toMatchObject({
      code: 'permission_denied',
      message: 'storage quota exceeded',
      details: { reason: 'quota_exceeded' },
      retryAfterSeconds: 7,
    });
  });

  it('carries HTTP-only codes that have no gRPC status of their own', () => {
    expect(roundTrip(new AppError('payload_too_large', 'too big')).code).toBe('payload_too_large');
    const limited = roundTrip(new AppError('too_many_uploads', 'at most 1000', { retryAfterSeconds: 30 }));
    expect(limited).toMatchObject({ code: 'too_many_uploads', retryAfterSeconds: 30 });
    expect(roundTrip(new AppError('too_many_requests', 'slow down')).code).toBe('too_many_requests');
  });

  it('hides the message and details of internal errors', () => {
    const back = roundTrip(new AppError('internal', 'db password is hunter2', { details: { secret: 1 } }));
    expect(back.message).toBe('internal error');
    expect(back.details).toBeUndefined();
  });

  it('falls back to the status when the code trailer is missing or not one of ours', () => {
    const metadata = new Metadata();
    metadata.set('x-error-code', 'drop_tables');
    metadata.set('x-error-details', '[not an object]');
    const back = fromGrpcError({ code: status.NOT_FOUND, details: 'gone', metadata });
    expect(back).toMatchObject({ code: 'not_found', message: 'gone', details: undefined });
    expect(fromGrpcError({ code: status.UNAVAILABLE, details: 'x', metadata: new Metadata() })).toMatchObject({
      code: 'unavailable',
      message: 'upstream service unavailable',
    });
  });
});
