import type { Metadata } from '@grpc/grpc-js';
import {
  AppError,
  CALLER_NOT_ALLOWED_REASON,
  CALLER_TOKEN_METADATA_KEY,
  type CallerService,
  type CallerTokenVerifier,
  type VerifiedCaller,
} from '@lfusys/commons';
import { SessionsServiceService } from '@lfusys/proto/sessions';

export type RpcName = keyof typeof SessionsServiceService;

/**
 * Which service may call which RPC: the one place that says it (docs/security.md "Internal calls").
 * The uploads workers read a session and record relay parts; everything a signed-in user does goes
 * through the gateway. Anything not listed for a caller is PERMISSION_DENIED.
 */
export const RPC_CALLERS: Readonly<Record<RpcName, readonly CallerService[]>> = Object.freeze({
  createUpload: ['gateway'],
  getUpload: ['gateway', 'uploads'],
  listUploads: ['gateway'],
  cancelUpload: ['gateway'],
  recordPart: ['uploads'],
  listParts: ['gateway', 'uploads'],
  preparePart: ['uploads'],
  listFiles: ['gateway'],
  getFile: ['gateway'],
  renameFile: ['gateway'],
  deleteFile: ['gateway'],
  getDownloadUrl: ['gateway'],
  deleteUserData: ['gateway'],
  signParts: ['gateway'],
  confirmParts: ['gateway'],
  declareSha256: ['gateway'],
  getUsage: ['gateway'],
});

/** Services whose every call must be scoped to one upload (the uploads workers act for one upload token). */
const UPLOAD_SCOPED: ReadonlySet<CallerService> = new Set(['uploads']);

const refuse = (message: string) =>
  new AppError('permission_denied', message, { details: { reason: CALLER_NOT_ALLOWED_REASON } });

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * Who is calling, verified: the caller token in metadata, signed for this very RPC, by a service
 * allowed to call it, and — when it names an upload — for the upload the request is about.
 */
export async function authorizeCall(
  verify: CallerTokenVerifier,
  rpc: RpcName,
  metadata: Metadata,
  request: unknown,
): Promise<VerifiedCaller> {
  const header = metadata.get(CALLER_TOKEN_METADATA_KEY);
  const match = header.length === 1 && typeof header[0] === 'string' ? BEARER.exec(header[0]) : null;
  if (!match?.[1]) throw new AppError('unauthenticated', 'caller credential required');
  const caller = await verify(match[1]);
  if (caller.rpc !== SessionsServiceService[rpc].path)
    throw new AppError('unauthenticated', 'caller credential was signed for another call');
  if (!RPC_CALLERS[rpc].includes(caller.service)) {
    throw refuse(`${caller.service} may not call ${rpc}`);
  }
  const uploadId = (request as { uploadId?: unknown }).uploadId;
  if (UPLOAD_SCOPED.has(caller.service) && caller.upload === undefined) {
    throw refuse(`${caller.service} calls must name their upload`);
  }
  if (caller.upload !== undefined && caller.upload !== uploadId) {
    throw refuse('caller credential is for another upload');
  }
  return caller;
}
