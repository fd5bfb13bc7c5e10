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
