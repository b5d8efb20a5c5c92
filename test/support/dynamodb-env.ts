import { inject } from 'vitest';

// Runs before each test file imports anything, so module-level SDK clients
// (shared/db/client.ts) see the local endpoint.
const endpoint = inject('dynamoEndpoint');
const url = new URL(endpoint);
// A test run must never reach real AWS by accident.
if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
  throw new Error(`Refusing to run integration tests against ${endpoint}: not a local endpoint`);
}
process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
Object.assign(process.env, inject('tableEnv'));
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
// Member messages stay in the process unless a test (or the local cloud) sends them elsewhere: never to real SES or SMS.
process.env.MESSAGES_TRANSPORT ??= 'outbox';
