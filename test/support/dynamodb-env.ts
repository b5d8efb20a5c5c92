import { afterAll, inject } from 'vitest';

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
// Every answer a handler gives through the local gateway is checked against
// the OpenAPI document (infra/local/contract.ts): a violation is a 500 to the
// caller, and fails the test file here even when its test tolerated the 500.
process.env.STOCKCLUB_CONTRACT_CHECK ??= '1';
afterAll(async () => {
  const { takeContractViolations } = await import('../../infra/local/contract.ts');
  const violations = takeContractViolations();
  if (violations.length > 0) {
    throw new Error(
      `contract-violation: ${violations.length} answer(s) broke the OpenAPI document:\n${violations
        .map((v) => `  ${v.operation} ${v.status}: ${v.violations.join('; ')}`)
        .join('\n')}`,
    );
  }
});
