import { type CallOptions, type ClientUnaryCall, Metadata, type ServiceError } from '@grpc/grpc-js';
import { AppError } from '../errors/app-error.ts';
import { REQUEST_ID_HEADER } from '../request-id.ts';
import {
  CALLER_NOT_ALLOWED_REASON,
  CALLER_TOKEN_METADATA_KEY,
  type CallAssertion,
  type CallerTokenSigner,
} from './caller-token.ts';
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
  /** Cancels the call (CANCELLED) when it aborts: its HTTP request is gone. */
  signal?: AbortSignal | undefined;
}

export interface UnaryCallSettings {
  /** The method path (`/package.Service/Method`), signed into the caller token so it serves no other RPC. */
  path: string;
  defaultDeadlineMs: number;
  sign: CallerTokenSigner;
}

/**
 * The callee refusing this service's own credential is a deployment fault (a key not published,
 * clocks apart), never the end user's: it must not reach them as a 401/403, and is logged as ours.
 */
function asOwnFault(err: AppError): AppError {
  const refused =
    err.code === 'unauthenticated' ||
    (err.code === 'permission_denied' && err.details?.reason === CALLER_NOT_ALLOWED_REASON);
  return refused
    ? new AppError('internal', `the callee refused this service's credential: ${err.message}`, { cause: err })
    : err;
}

/**
 * Promise form of a generated grpc-js unary method: every call has a deadline, carries the
 * request id and the caller's signed assertion (who calls, for which user and upload) in
 * metadata, and fails with an AppError.
 */
export function unary<Req, Res>(method: UnaryMethod<Req, Res>, target: object, settings: UnaryCallSettings) {
  return async (request: Req, assertion: Omit<CallAssertion, 'rpc'>, context: CallContext = {}): Promise<Res> => {
    const metadata = new Metadata();
    // While every server is reconnecting (a restart), round robin fails calls at once; wait for a
    // connection instead, bounded by the deadline (grpc-js ignores the service config's waitForReady).
    metadata.setOptions({ waitForReady: true });
    if (context.requestId) metadata.set(REQUEST_ID_HEADER, context.requestId);
    const token = await settings.sign({ ...assertion, rpc: settings.path });
    metadata.set(CALLER_TOKEN_METADATA_KEY, `Bearer ${token}`);
    const deadline = new Date(Date.now() + (context.deadlineMs ?? settings.defaultDeadlineMs));
    return new Promise((resolve, reject) => {
      const call = method.call(target, request, metadata, { deadline }, (error, response) => {
        context.signal?.removeEventListener('abort', cancel);
        if (error) reject(asOwnFault(fromGrpcError(error)));
        else resolve(response);
      });
      const cancel = () => call.cancel();
      if (context.signal?.aborted) cancel();
      else context.signal?.addEventListener('abort', cancel, { once: true });
    });
  };
}
