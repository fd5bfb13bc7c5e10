/** The FIFO queue of uploads ready to assemble. */
export interface AssemblyQueue {
  /** Idempotent per upload: group id = deduplication id = uploadId. */
  enqueue(uploadId: string): Promise<void>;
}
