import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { AppError } from '../errors/app-error.ts';

/** True when a conditional write (single or transactional) lost its condition. */
export function isConditionFailure(err: unknown): boolean {
  if (err instanceof ConditionalCheckFailedException) return true;
  if (err instanceof TransactionCanceledException) {
    return (err.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
  }
  return false;
}

/** Wraps an SDK failure in the error model, keeping the cause for the log. */
export function storageError(operation: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  return new AppError('unavailable', `storage unavailable (${operation})`, { cause: err });
}

/** True when a transaction lost to another transaction on the same item (not to a condition). */
export function isTransactionConflict(err: unknown): boolean {
  if (!(err instanceof TransactionCanceledException)) return false;
  const reasons = err.CancellationReasons ?? [];
  return (
    reasons.some((r) => r.Code === 'TransactionConflict') && !reasons.some((r) => r.Code === 'ConditionalCheckFailed')
  );
}

/**
 * Runs a transactional write, retrying transaction conflicts with full-jitter backoff. Hot items
 * (an upload's counter under 50 parallel chunks, a user's quota) make conflicts routine; they
 * are safe to retry because a cancelled transaction wrote nothing.
 */
export async function retryTransactionConflicts<T>(write: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (err) {
      if (!isTransactionConflict(err) || attempt >= attempts) throw err;
      const cap = Math.min(1000, 20 * 2 ** attempt);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
    }
  }
}
