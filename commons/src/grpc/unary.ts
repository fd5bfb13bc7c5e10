import { type CallOptions, type ClientUnaryCall, Metadata, type ServiceError } from '@grpc/grpc-js';
import { REQUEST_ID_HEADER } from '../request-id.ts';
import { fromGrpcError } from './errors.ts';

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => ClientUnaryCall;

export interface CallContext {
  requestId?: string | undefined;
  /** Overrides the client's default deadline. */
  deadlineMs?: number;
}

/**
 * Promise form of a generated grpc-js unary method: every call has a deadline, carries the
 * request id in metadata, and fails with an AppError.
 */
export function unary<Req, Res>(method: UnaryMethod<Req, Res>, target: object, defaultDeadlineMs: number) {
  return (request: Req, context: CallContext = {}): Promise<Res> =>
    new Promise((resolve, reject) => {
      const metadata = new Metadata();
      if (context.requestId) metadata.set(REQUEST_ID_HEADER, context.requestId);
      const deadline = new Date(Date.now() + (context.deadlineMs ?? defaultDeadlineMs));
      method.call(target, request, metadata, { deadline }, (error, response) => {
        if (error) reject(fromGrpcError(error));
        else resolve(response);
      });
    });
}
