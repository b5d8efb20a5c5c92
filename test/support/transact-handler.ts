/**
 * A handler for test/integration/local-durability.test.ts: one TransactWriteItems into the inventory table of the
 * DynamoDB the environment names, on a client kept open between calls as the product's is (DynamoDB Local also
 * commits when a connection closes).
 */
import { DynamoDBClient, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';

let client: DynamoDBClient | undefined;

export const transactOne = async (event: { pk: string }): Promise<void> => {
  client ??= new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  await client.send(
    new TransactWriteItemsCommand({
      TransactItems: [{ Put: { TableName: process.env.INVENTORY_TABLE!, Item: { pk: { S: event.pk }, sk: { S: 'DURABILITY' } } } }],
    }),
  );
};
