/** Every AWS resource name derives from one prefix, so environments and test runs never collide. */
export interface ResourceNames {
  usersTable: string;
  refreshTokensTable: string;
  uploadsTable: string;
  filesTable: string;
  bucket: string;
  assemblyQueue: string;
  assemblyDlq: string;
}

export function resourceNames(prefix: string): ResourceNames {
  return {
    usersTable: `${prefix}-users`,
    refreshTokensTable: `${prefix}-refresh-tokens`,
    uploadsTable: `${prefix}-uploads`,
    filesTable: `${prefix}-files`,
    bucket: `${prefix}-objects`,
    // FIFO queue names must end in .fifo, and a FIFO queue's DLQ must be FIFO too.
    assemblyQueue: `${prefix}-assembly.fifo`,
    assemblyDlq: `${prefix}-assembly-dlq.fifo`,
  };
}
