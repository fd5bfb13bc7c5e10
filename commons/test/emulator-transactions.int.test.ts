import { randomUUID } from 'node:crypto';
import { CreateTableCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDocumentClient, createDynamoClient } from '../src/aws/clients.ts';

/**
 * The emulator's TransactWriteItems must be atomic and isolated like DynamoDB's: our launcher
 * (moto_serialised.py) serialises DynamoDB requests and rolls a failed transaction back from an
 * undo log of the items it names, instead of moto's copy of every table it touches.
 */
describe('emulator transactions', () => {
  const settings = { region: 'us-east-1', endpoint: inject('awsEndpoint') };
  const dynamo = createDynamoClient(settings);
  const doc = createDocumentClient(settings);
  const ranged = `tx-ranged-${randomUUID().slice(0, 8)}`;
  const plain = `tx-plain-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await dynamo.send(
      new CreateTableCommand({
        TableName: ranged,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await dynamo.send(
      new CreateTableCommand({
        TableName: plain,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
  });

  const get = async (TableName: string, Key: Record<string, string>) =>
    (await doc.send(new GetCommand({ TableName, Key }))).Item;
  const increment = (TableName: string, Key: Record<string, string>) => ({
    Update: { TableName, Key, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } },
  });
  const mustExist = (TableName: string, Key: Record<string, string>) => ({
    ConditionCheck: { TableName, Key, ConditionExpression: 'attribute_exists(pk)' },
  });

  it('a transaction that fails a condition changes nothing, in either table, whatever the item order', async () => {
    const pk = randomUUID();
    await doc.send(new PutCommand({ TableName: ranged, Item: { pk, sk: 'a', n: 1 } }));
    await doc.send(new PutCommand({ TableName: plain, Item: { pk, n: 10 } }));
    for (const failingFirst of [false, true]) {
      const writes = [
        increment(ranged, { pk, sk: 'a' }),
        { Put: { TableName: ranged, Item: { pk, sk: 'new', n: 1 } } },
        { Delete: { TableName: plain, Key: { pk } } },
      ];
      const failing = mustExist(plain, { pk: `missing-${pk}` });
      const items = failingFirst ? [failing, ...writes] : [...writes, failing];
      await expect(doc.send(new TransactWriteCommand({ TransactItems: items }))).rejects.toBeInstanceOf(
        TransactionCanceledException,
      );
      expect(await get(ranged, { pk, sk: 'a' })).toEqual({ pk, sk: 'a', n: 1 });
      expect(await get(ranged, { pk, sk: 'new' })).toBeUndefined();
      expect(await get(plain, { pk })).toEqual({ pk, n: 10 });
    }
  });

  it('a transaction that succeeds applies every item', async () => {
    const pk = randomUUID();
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [increment(ranged, { pk, sk: 'a' }), { Put: { TableName: plain, Item: { pk, n: 5 } } }],
      }),
    );
    expect(await get(ranged, { pk, sk: 'a' })).toEqual({ pk, sk: 'a', n: 1 });
    expect(await get(plain, { pk })).toEqual({ pk, n: 5 });
  });

  it('failed transactions running beside successful ones never erase them', async () => {
    const pk = randomUUID();
    await doc.send(new PutCommand({ TableName: ranged, Item: { pk, sk: 'counter', n: 0 } }));
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        doc
          .send(
            new TransactWriteCommand({
              TransactItems: [
                increment(ranged, { pk, sk: 'counter' }),
                { Put: { TableName: ranged, Item: { pk, sk: `part-${i}` } } },
                ...(i % 2 === 0 ? [mustExist(plain, { pk: `missing-${pk}` })] : []),
              ],
            }),
          )
          .then(
            () => 'ok',
            () => 'cancelled',
          ),
      ),
    );
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(20);
    expect(await get(ranged, { pk, sk: 'counter' })).toEqual({ pk, sk: 'counter', n: 20 });
    for (let i = 0; i < 40; i++) {
      const part = await get(ranged, { pk, sk: `part-${i}` });
      expect(part === undefined).toBe(i % 2 === 0);
    }
  });
});
