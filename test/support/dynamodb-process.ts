/** DynamoDB Local on the data directory given, started as `npm start` starts it; prints {"endpoint"} once it answers. */
import { startDynamoDbLocal } from '../../infra/local/dynamodb.ts';

const dynamo = await startDynamoDbLocal({ dataDir: process.argv[2] });
console.log(JSON.stringify({ endpoint: dynamo.endpoint }));
