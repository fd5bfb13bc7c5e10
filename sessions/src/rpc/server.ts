import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData } from '@grpc/grpc-js';
import {
  AppError,
  type CallerTokenVerifier,
  type Logger,
  REQUEST_ID_HEADER,
  requestIdFrom,
  type ServiceMetrics,
  toGrpcError,
  type VerifiedCaller,
} from '@lfusys/commons';
import {
  type CancelUploadRequest,
  type ConfirmPartsRequest,
  type CreateUploadRequest,
  type DeclareSha256Request,
  type DeleteFileRequest,
  type DeleteUserDataRequest,
  type GetDownloadUrlRequest,
  type GetFileRequest,
  type GetUploadRequest,
  type GetUsageRequest,
  type ListFilesRequest,
  type ListPartsRequest,
  type ListUploadsRequest,
  type PreparePartRequest,
  type RecordPartRequest,
  type RenameFileRequest,
  type SessionsServiceServer,
  SessionsServiceService,
  type SignPartsRequest,
} from '@lfusys/proto/sessions';
import { HealthImplementation } from 'grpc-health-check';
import { Counter } from 'prom-client';
import { declareSha256 } from '../domain/declared-sha256.ts';
import type { FileService } from '../domain/file-service.ts';
import type { PartConfirmation } from '../domain/part-confirmation.ts';
import type { PartUrls } from '../domain/part-urls.ts';
import type { RelayParts } from '../domain/relay-parts.ts';
import type { UploadService } from '../domain/upload-service.ts';
import { type UploadWatchDeps, watchUpload } from '../domain/upload-watch.ts';
import { deleteUserData, type UserDataDeps } from '../domain/user-data.ts';
import type { UploadRepository } from '../ports/upload-repository.ts';
import { encodeFile, encodePart, encodePreparedPart, encodeUpload } from './encode.ts';
import { authorizeCall, type RpcName } from './rpc-access.ts';

export interface RpcDeps {
  uploads: UploadService;
  partUrls: PartUrls;
  partConfirmation: PartConfirmation;
  relayParts: RelayParts;
  /** DeclareSha256 is one conditional write, with no service of its own. */
  repository: UploadRepository;
  files: FileService;
  userData: UserDataDeps;
  bucket: string;
  logger: Logger;
  /** GetUpload's wait for a status change (upload-watch.ts). */
  statusWatch: UploadWatchDeps;
  /** Verifies the caller token every call carries (commons `createCallerTokenVerifier`). */
  verifyCaller: CallerTokenVerifier;
  metrics: ServiceMetrics;
}

/** What a handler knows of its call: the verified caller (service, user, upload), and whether it was cancelled. */
interface CallContext {
  caller: VerifiedCaller;
  /** Aborts when the client cancels the call or its deadline passes. */
  cancelled: AbortSignal;
}

type Handler<Req, Res> = (request: Req, ctx: CallContext) => Promise<Res>;

/**
 * Adapts a promise handler: request id from metadata into the log, the caller authenticated and
 * authorised before anything else (rpc-access.ts; a refused caller is a warning: a misconfigured
 * key or someone on the port), AppError → gRPC status, one log per failure.
 */
function unaryHandler<Req, Res>(
  rpc: RpcName,
  deps: Pick<RpcDeps, 'logger' | 'verifyCaller'> & { handled: Counter<'grpc_method' | 'grpc_code'> },
  handler: Handler<Req, Res>,
) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const requestId = requestIdFrom(call.metadata.get(REQUEST_ID_HEADER)[0]);
    let log = deps.logger.child({ requestId, rpc });
    let authorized = false;
    const cancellation = new AbortController();
    call.once('cancelled', () => cancellation.abort());
    authorizeCall(deps.verifyCaller, rpc, call.metadata, call.request)
      .then((caller) => {
        authorized = true;
        // The caller and its user, so each refusal is logged once with them.
        log = log.child({ caller: caller.service, userId: caller.user });
        return handler(call.request, { caller, cancelled: cancellation.signal });
      })
      .then(
        (response) => {
          deps.handled.inc({ grpc_method: rpc, grpc_code: 'ok' });
          callback(null, response);
        },
        (err: unknown) => {
          const appError = AppError.from(err);
          deps.handled.inc({ grpc_method: rpc, grpc_code: appError.code });
          if (appError.code === 'internal' || appError.code === 'unavailable')
            log.error({ err: appError.cause ?? appError }, 'rpc failed');
          else if (!authorized) log.warn({ code: appError.code, reason: appError.message }, 'rpc caller refused');
          else log.debug({ code: appError.code, reason: appError.message }, 'rpc rejected');
          callback(toGrpcError(appError));
        },
      );
  };
}

export function sessionsHandlers(deps: RpcDeps): SessionsServiceServer {
  const { uploads, files, userData, bucket } = deps;
  // The go-grpc-prometheus name, so dashboards read it as they read any gRPC server's.
  const handled = new Counter({
    name: 'grpc_server_handled_total',
    help: 'gRPC calls answered, by method and error code (ok when it succeeded)',
    labelNames: ['grpc_method', 'grpc_code'] as const,
    registers: [deps.metrics.registry],
  });
  const on = <Req, Res>(rpc: RpcName, handler: Handler<Req, Res>) => unaryHandler(rpc, { ...deps, handled }, handler);
  return {
    createUpload: on('createUpload', async (r: CreateUploadRequest, { caller }) =>
      encodeUpload(
        await uploads.create({
          userId: caller.user,
          fileName: r.fileName,
          size: r.size,
          contentType: r.contentType,
          sha256: r.sha256,
          idempotencyKey: r.idempotencyKey,
          transfer: r.transfer,
          quotaBytes: r.quotaBytes,
        }),
      ),
    ),
    // Where parts are written is for the uploads workers only.
    getUpload: on('getUpload', async (r: GetUploadRequest, { caller, cancelled }) => {
      const found = await uploads.get(r.uploadId, caller.user);
      const upload = r.waitMs > 0 ? await watchUpload(deps.statusWatch, found, r.waitMs, cancelled) : found;
      return encodeUpload(upload, caller.service === 'uploads' ? bucket : undefined);
    }),
    listUploads: on('listUploads', async (r: ListUploadsRequest, { caller }) => {
      const page = await uploads.list(caller.user, r.limit, r.cursor);
      return { uploads: page.uploads.map((u) => encodeUpload(u)), nextCursor: page.nextCursor };
    }),
    cancelUpload: on('cancelUpload', async (r: CancelUploadRequest, { caller }) =>
      encodeUpload(await uploads.cancel(r.uploadId, caller.user)),
    ),
    recordPart: on('recordPart', async (r: RecordPartRequest, { caller }) => {
      const out = await uploads.recordPart(r.uploadId, caller.user, {
        index: r.index,
        size: r.size,
        sha256: r.sha256,
        etag: r.etag,
      });
      return {
        receivedChunks: out.upload.receivedChunks,
        totalChunks: out.upload.totalChunks,
        complete: out.complete,
        newlyRecorded: out.newlyRecorded,
      };
    }),
    preparePart: on('preparePart', async (r: PreparePartRequest, { caller }) =>
      encodePreparedPart(
        r.index,
        await deps.relayParts.prepare({
          uploadId: r.uploadId,
          userId: caller.user,
          index: r.index,
          sha256: r.sha256,
          length: r.length,
        }),
      ),
    ),
    listParts: on('listParts', async (r: ListPartsRequest, { caller }) => ({
      parts: (await uploads.listParts(r.uploadId, caller.user)).map(encodePart),
    })),
    listFiles: on('listFiles', async (r: ListFilesRequest, { caller }) => {
      const page = await files.list(caller.user, r.limit, r.cursor);
      return { files: page.files.map(encodeFile), nextCursor: page.nextCursor };
    }),
    getFile: on('getFile', async (r: GetFileRequest, { caller }) => encodeFile(await files.get(r.fileId, caller.user))),
    renameFile: on('renameFile', async (r: RenameFileRequest, { caller }) =>
      encodeFile(await files.rename(r.fileId, caller.user, r.name)),
    ),
    deleteFile: on('deleteFile', async (r: DeleteFileRequest, { caller }) => {
      await files.delete(r.fileId, caller.user);
      return {};
    }),
    getDownloadUrl: on('getDownloadUrl', async (r: GetDownloadUrlRequest, { caller }) =>
      files.downloadUrl(r.fileId, caller.user),
    ),
    deleteUserData: on('deleteUserData', async (_r: DeleteUserDataRequest, { caller }) =>
      deleteUserData(userData, caller.user),
    ),
    signParts: on('signParts', async (r: SignPartsRequest, { caller }) => ({
      parts: await deps.partUrls.sign(r.uploadId, caller.user, r.parts),
    })),
    confirmParts: on('confirmParts', async (r: ConfirmPartsRequest, { caller }) =>
      deps.partConfirmation.confirm(r.uploadId, caller.user, r.indexes),
    ),
    getUsage: on('getUsage', async (r: GetUsageRequest, { caller }) => uploads.usage(caller.user, r.quotaBytes)),
    declareSha256: on('declareSha256', async (r: DeclareSha256Request, { caller }) =>
      encodeUpload(await declareSha256(deps.repository, r.uploadId, caller.user, r.sha256)),
    ),
  };
}

export interface RpcServerOptions {
  address: string;
  /** PEM certificate chain and key: TLS on the port; absent = plaintext. */
  tls?: { certPem: string; keyPem: string } | undefined;
  maxConnectionAgeMs: number;
  maxConnectionAgeGraceMs: number;
}

/** Binds the sessions service and the standard gRPC health service; returns the bound port. */
export async function startRpcServer(
  deps: RpcDeps,
  options: RpcServerOptions,
): Promise<{ server: Server; port: number; health: HealthImplementation }> {
  const server = new Server({
    'grpc.max_receive_message_length': 1024 * 1024,
    // GOAWAY after this age: clients reconnect, re-resolve, and round-robin over new tasks too.
    'grpc.max_connection_age_ms': options.maxConnectionAgeMs,
    'grpc.max_connection_age_grace_ms': options.maxConnectionAgeGraceMs,
  });
  server.addService(SessionsServiceService, sessionsHandlers(deps));
  // Unauthenticated by design: it tells only whether the process serves (load balancers, probes).
  const health = new HealthImplementation({ '': 'SERVING', 'lfusys.sessions.v1.SessionsService': 'SERVING' });
  health.addToServer(server);
  const credentials = options.tls
    ? ServerCredentials.createSsl(null, [
        { cert_chain: Buffer.from(options.tls.certPem), private_key: Buffer.from(options.tls.keyPem) },
      ])
    : ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.address, credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  return { server, port, health };
}
