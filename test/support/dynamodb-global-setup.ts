import type { TestProject } from 'vitest/node';
import { createTables, localAwsEnv, startDynamoDbLocal } from '../../infra/local/dynamodb.ts';
import { startPrism } from './prism.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
    tableEnv: Record<string, string>;
    /** Prism's URL when the run goes through it (`npm run test:prism`), else empty. */
    prismUrl: string;
  }
}

/** Starts one DynamoDB Local for the whole run and creates the tables of infra/tables.ts. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  const tableEnv = await createTables(dynamo.endpoint, 'test');
  project.provide('dynamoEndpoint', dynamo.endpoint);
  project.provide('tableEnv', { ...tableEnv, ...localAwsEnv });
  const prism = process.env.STOCKCLUB_PRISM === '1' ? await startPrism() : undefined;
  project.provide('prismUrl', prism?.url ?? '');
  return async () => {
    await prism?.stop();
    await dynamo.stop();
  };
}
