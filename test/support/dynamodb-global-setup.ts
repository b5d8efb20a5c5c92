import type { TestProject } from 'vitest/node';
import { createTables, localAwsEnv, startDynamoDbLocal } from '../../infra/local/dynamodb.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    tableEnv: Record<string, string>;
  }
}

/** Starts one DynamoDB Local for the whole run and creates the tables of infra/tables.ts. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  const tableEnv = await createTables(dynamo.endpoint, 'test');
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('tableEnv', { ...tableEnv, ...localAwsEnv });
  return async () => {
    await dynamo.stop();
  };
}
