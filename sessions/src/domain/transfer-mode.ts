import { AppError, type Logger } from '@lfusys/commons';
import type { Transfer } from './upload.ts';

/** What a deployment offers (`UPLOAD_TRANSFER_DEFAULT`, `DIRECT_TRANSFER_ENABLED`). */
export interface TransferPolicy {
  defaultTransfer: Transfer;
  directEnabled: boolean;
}

/**
 * The transfer an open gets: the client's choice, or the deployment's default when it named none.
 * A deployment without direct transfer refuses an explicit `direct` (the client may open again
 * with relay) rather than silently relaying: the client asked for something it will not get.
 */
export function resolveTransfer(requested: string, policy: TransferPolicy, userId: string, logger: Logger): Transfer {
  if (requested === '') return policy.defaultTransfer;
  if (requested !== 'relay' && requested !== 'direct') {
    throw new AppError('invalid_argument', 'transfer must be "relay" or "direct"', { details: { field: 'transfer' } });
  }
  if (requested === 'direct' && !policy.directEnabled) {
    logger.info({ userId, limit: 'DIRECT_TRANSFER_ENABLED' }, 'upload open refused');
    throw new AppError('failed_precondition', 'direct transfer is not available here; open the upload with relay', {
      details: { reason: 'transfer_unavailable' },
    });
  }
  return requested;
}
