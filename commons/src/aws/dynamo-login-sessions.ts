import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LoginSessionLookup } from '../auth/session-liveness.ts';

/**
 * The key of a login session (refresh-token family) in the gateway's refresh-token table. The
 * gateway writes it; the uploads workers only read it, to refuse upload tokens of ended sessions.
 */
export const loginSessionKey = (sessionId: string) => ({ pk: `FAMILY#${sessionId}` });

/**
 * Looks a login session up in the refresh-token table with a strongly consistent read, so a
 * revocation is seen by the next lookup. Only the three attributes the check needs are read.
 */
export function dynamoLoginSessionLookup(db: DynamoDBDocumentClient, table: string): LoginSessionLookup {
  return async (sessionId) => {
    const { Item } = await db.send(
      new GetCommand({
        TableName: table,
        Key: loginSessionKey(sessionId),
        ConsistentRead: true,
        ProjectionExpression: 'userId, revoked, expiresAt',
      }),
    );
    if (!Item) return null;
    return { userId: String(Item.userId), revoked: Item.revoked === true, expiresAt: Number(Item.expiresAt) };
  };
}
