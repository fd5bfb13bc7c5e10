import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, resourceNames } from '@lfusys/commons';
import { oneTimeTokenKey } from '../src/adapters/dynamo-one-time-token-store.ts';
import type { OneTimeTokenPurpose } from '../src/ports/one-time-token-store.ts';
import type { RunningGateway } from './harness.ts';

/** Moves a stored token's expiry into the past, as if its lifetime had run out (the code checks expiry itself). */
export async function expireToken(gw: RunningGateway, purpose: OneTimeTokenPurpose, token: string): Promise<void> {
  const db = createDocumentClient({ region: 'us-east-1', endpoint: gw.config.AWS_ENDPOINT_URL });
  const hash = createHash('sha256').update(token).digest('hex');
  await db.send(
    new UpdateCommand({
      TableName: resourceNames(gw.config.RESOURCE_PREFIX).refreshTokensTable,
      Key: oneTimeTokenKey(purpose, hash),
      UpdateExpression: 'SET expiresAt = :past',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
    }),
  );
}
