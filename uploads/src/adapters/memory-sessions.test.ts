import { UploadStatus } from '@lfusys/proto/sessions';
import { sessionsPortContract } from '../../test/sessions-port-contract.ts';
import { MemorySessions } from './memory-sessions.ts';

sessionsPortContract('memory', async () => {
  const sessions = new MemorySessions();
  return {
    sessions,
    open: async (userId, size) => sessions.open({ userId, size }),
    cancel: async (uploadId) => sessions.setStatus(uploadId, UploadStatus.UPLOAD_STATUS_CANCELLED),
  };
});
