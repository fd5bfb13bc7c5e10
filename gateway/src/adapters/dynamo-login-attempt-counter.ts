import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { storageError } from '@lfusys/commons';
import type { AttemptWindow, LoginAttemptCounter } from '../ports/login-attempt-counter.ts';

/** The item of one account's window; the prefix keeps it apart from `FAMILY#` and `TOKEN#` items. */
export const loginAttemptKey = (accountKey: string, windowStart: number) => ({
  pk: `LOGIN#${accountKey}#${windowStart}`,
});

/**
 * Fixed-window counters in the refresh-tokens table (it has the `expiresAt` TTL and is the
 * gateway's own): one item per account and window, bumped with an atomic `ADD`, so concurrent
 * gateway instances each get a distinct total. The window start is part of the key, so a new
 * window starts at zero and a stale item (TTL deletes up to days late) is simply never read again.
 * `ADD` is not idempotent: an SDK retry after a lost response may count one attempt twice, which
 * errs on the side of the limit.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html#Expressions.UpdateExpressions.ADD
 */
export class DynamoLoginAttemptCounter implements LoginAttemptCounter {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async increment(accountKey: string, window: AttemptWindow): Promise<number> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: loginAttemptKey(accountKey, window.start),
          UpdateExpression: 'ADD attempts :one SET expiresAt = :expiresAt',
          ExpressionAttributeValues: { ':one': 1, ':expiresAt': window.expiresAt },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const attempts = Number(result.Attributes?.attempts);
      if (!Number.isInteger(attempts) || attempts < 1) throw new Error(`unexpected attempts value ${attempts}`);
      return attempts;
    } catch (err) {
      throw storageError('count login attempt', err);
    }
  }
}
