import { type ChannelCredentials, Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { AppError, type CallContext, type CallerTokenSigner, fromGrpcError, unary } from '@lfusys/commons';
import { service as healthService } from 'grpc-health-check';
import {
  CreateUploadRequest,
  GetUploadRequest,
  ListUploadsRequest,
  SessionsServiceClient,
  SessionsServiceService,
} from '../gen/lfusys/sessions/v1/sessions.ts';

export interface SessionsClientOptions {
  /** `host:port` (resolved through DNS, every address used) or any grpc-js target, e.g. `ipv4:a:p1,b:p2`. */
  address: string;
  /** Signs each call's assertion with this service's key (commons `createCallerTokenSigner`). */
  sign: CallerTokenSigner;
  /** PEM of the CA that issued sessions' certificate; absent = plaintext (only where the channel cannot be observed). */
  tlsCaPem?: string | undefined;
  deadlineMs?: number;
}

/** A request as callers write it: the message plus the user the call is made for (signed, never sent in the message). */
type ForUser<Req> = Req & { userId: string };

/** The service name sessions registers and reports its health under (grpc.health.v1). */
const SERVICE_NAME = 'lfusys.sessions.v1.SessionsService';

/**
 * Round robin over every address the target resolves to, so each sessions task gets calls; sessions
 * closes connections after a maximum age (GRPC_MAX_CONNECTION_AGE_MS), and a closed connection
 * makes the client resolve the name again, so new tasks get traffic without a client restart.
 * (Calls wait for ready meanwhile: commons `unary`.)
 * https://github.com/grpc/grpc/blob/master/doc/service_config.md
 */
const SERVICE_CONFIG = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] });

const channelCredentials = (caPem: string | undefined): ChannelCredentials =>
  caPem ? credentials.createSsl(Buffer.from(caPem)) : credentials.createInsecure();

/**
 * Promise-based sessions client: deadlines on every call, request id in metadata, the caller's
 * signed assertion (service, RPC, user, upload) on every call, AppError on failure.
 */
export function createSessionsClient(options: SessionsClientOptions) {
  const channelOptions = {
    'grpc.service_config': SERVICE_CONFIG,
    'grpc.keepalive_time_ms': 30_000,
    // Reconnect fast after a sessions restart.
    'grpc.initial_reconnect_backoff_ms': 200,
    'grpc.max_reconnect_backoff_ms': 2000,
  };
  const channel = channelCredentials(options.tlsCaPem);
  const client = new SessionsServiceClient(options.address, channel, channelOptions);
  const health = new Client(options.address, channel, channelOptions);
  const healthCheck = healthService.Check;
  if (!healthCheck) throw new Error('grpc-health-check defines no Check method');
  const defaultDeadlineMs = options.deadlineMs ?? 5000;
  const call = <Req, Res>(method: Parameters<typeof unary<Req, Res>>[0], path: string) => {
    const send = unary(method, client, { path, defaultDeadlineMs, sign: options.sign });
    return (request: ForUser<Req>, context?: CallContext): Promise<Res> => {
      const { userId, ...message } = request;
      // A call about one upload is bound to it: the token cannot be replayed against another.
      const upload = 'uploadId' in message && typeof message.uploadId === 'string' ? message.uploadId : undefined;
      return send(message as Req, { user: userId, upload }, context);
    };
  };
  const rpc = SessionsServiceService;
  const createUpload = call(client.createUpload, rpc.createUpload.path);
  const listUploads = call(client.listUploads, rpc.listUploads.path);
  const getUpload = call(client.getUpload, rpc.getUpload.path);
  return {
    /** Optional fields (transfer, sha256, idempotency key, content type) default to empty. */
    createUpload: (
      { userId, ...request }: ForUser<Pick<CreateUploadRequest, 'fileName' | 'size'> & Partial<CreateUploadRequest>>,
      context?: CallContext,
    ) => createUpload({ ...CreateUploadRequest.fromPartial(request), userId }, context),
    /**
     * With `waitMs`, an upload in progress is answered once its status changes (or after that
     * long): give the call a deadline beyond it, and a `signal` to stop waiting.
     */
    getUpload: (
      { userId, ...request }: ForUser<Pick<GetUploadRequest, 'uploadId'> & Partial<GetUploadRequest>>,
      context?: CallContext,
    ) => getUpload({ ...GetUploadRequest.fromPartial(request), userId }, context),
    /** Paging is optional: without `limit` and `cursor` it reads the first (largest) page. */
    listUploads: ({ userId, ...request }: ForUser<Partial<ListUploadsRequest>>, context?: CallContext) =>
      listUploads({ ...ListUploadsRequest.fromPartial(request), userId }, context),
    cancelUpload: call(client.cancelUpload, rpc.cancelUpload.path),
    recordPart: call(client.recordPart, rpc.recordPart.path),
    listParts: call(client.listParts, rpc.listParts.path),
    preparePart: call(client.preparePart, rpc.preparePart.path),
    listFiles: call(client.listFiles, rpc.listFiles.path),
    getFile: call(client.getFile, rpc.getFile.path),
    renameFile: call(client.renameFile, rpc.renameFile.path),
    deleteFile: call(client.deleteFile, rpc.deleteFile.path),
    getDownloadUrl: call(client.getDownloadUrl, rpc.getDownloadUrl.path),
    deleteUserData: call(client.deleteUserData, rpc.deleteUserData.path),
    signParts: call(client.signParts, rpc.signParts.path),
    confirmParts: call(client.confirmParts, rpc.confirmParts.path),
    declareSha256: call(client.declareSha256, rpc.declareSha256.path),
    getUsage: call(client.getUsage, rpc.getUsage.path),
    /**
     * The standard gRPC health check (grpc.health.v1, which needs no caller credential): resolves
     * when a sessions task answers SERVING. For readiness probes of callers with no RPC of their own
     * to probe with (the uploads workers' RPCs all need an upload).
     */
    checkServing: (deadlineMs: number) =>
      new Promise<void>((resolve, reject) => {
        const deadline = new Date(Date.now() + deadlineMs);
        health.makeUnaryRequest(
          healthCheck.path,
          healthCheck.requestSerialize,
          healthCheck.responseDeserialize,
          { service: SERVICE_NAME },
          new Metadata(),
          { deadline },
          (err: ServiceError | null, res?: { status?: unknown }) => {
            if (err) reject(fromGrpcError(err));
            else if (res?.status !== 'SERVING')
              reject(new AppError('unavailable', `sessions is ${String(res?.status)}`));
            else resolve();
          },
        );
      }),
    close: () => {
      client.close();
      health.close();
    },
  };
}

export type SessionsClient = ReturnType<typeof createSessionsClient>;
export type { CallContext };
