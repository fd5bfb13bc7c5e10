import type { ListPartsResponse, Part, RecordPartRequest, RecordPartResponse, Upload } from '@lfusys/proto/sessions';

/** What a worker asks of the sessions service. */
export interface SessionsPort {
  getUpload(request: { uploadId: string; userId: string }, context?: { requestId?: string }): Promise<Upload>;
  /** A recorded part; rejects with `not_found` when the index has not been recorded. */
  getPart(request: { uploadId: string; index: number }, context?: { requestId?: string }): Promise<Part>;
  recordPart(request: RecordPartRequest, context?: { requestId?: string }): Promise<RecordPartResponse>;
  listParts(
    request: { uploadId: string; userId: string },
    context?: { requestId?: string },
  ): Promise<ListPartsResponse>;
}

export interface AssemblyQueue {
  enqueue(uploadId: string): Promise<void>;
}
