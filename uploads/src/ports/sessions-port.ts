import type {
  ListPartsResponse,
  PreparePartRequest,
  PreparePartResponse,
  RecordPartRequest,
  RecordPartResponse,
  Upload,
} from '@lfusys/proto/sessions';

/** What a worker asks of the sessions service. */
export interface SessionsPort {
  getUpload(request: { uploadId: string; userId: string }, context?: { requestId?: string }): Promise<Upload>;
  /**
   * Before a chunk is stored: the part as recorded already, or a presigned UploadPart URL for it.
   * Sessions checks the chunk against the session again (the authority; the worker's checks only
   * refuse early), with the same codes.
   */
  preparePart(request: PreparePartRequest, context?: { requestId?: string }): Promise<PreparePartResponse>;
  recordPart(request: RecordPartRequest, context?: { requestId?: string }): Promise<RecordPartResponse>;
  listParts(
    request: { uploadId: string; userId: string },
    context?: { requestId?: string },
  ): Promise<ListPartsResponse>;
}

export interface AssemblyQueue {
  enqueue(uploadId: string): Promise<void>;
}
