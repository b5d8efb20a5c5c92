import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' },
      },
      {
        test: { name: 'infra', include: ['test/infra/**/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 120_000 },
      },
      {
        // One DynamoDB Local per run, shared by every integration and e2e test file.
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/support/dynamodb-global-setup.ts'],
          setupFiles: ['test/support/dynamodb-env.ts'],
          // Generous: the concurrency tests (hundreds of racing requests, RFID bursts) share two cores with each other.
          testTimeout: 240_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
