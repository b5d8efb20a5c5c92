/**
 * The credential provider the Lambda bundles carry instead of the SDK's
 * default chain (shared/aws/lambda-credentials.ts, aliased in
 * infra/bundling.ts): the environment's credentials, else the container
 * credentials endpoint (a real HTTP server on 127.0.0.1 here), else a
 * CredentialsProviderError that says what was looked for.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CredentialsProviderError } from '@smithy/core/config';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '../../../shared/aws/lambda-credentials.ts';

const names = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CREDENTIAL_EXPIRATION',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN',
  'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];
let saved: Record<string, string | undefined>;

beforeEach(() => {
  saved = Object.fromEntries(names.map((name) => [name, process.env[name]]));
  for (const name of names) delete process.env[name];
});

afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** A container credentials endpoint: answers every GET with credentials valid for an hour, and records each request's headers. */
const endpoint = async () => {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        AccessKeyId: `ASIAENDPOINT${requests.length}`,
        SecretAccessKey: 'endpoint-secret',
        Token: 'endpoint-token',
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials`;
  return { url, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
};

describe('Lambda credential provider', () => {
  it('returns the credentials in the environment, session token and expiration included', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAENV';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
    process.env.AWS_SESSION_TOKEN = 'env-token';
    process.env.AWS_CREDENTIAL_EXPIRATION = '2030-01-02T03:04:05Z';
    expect(await defaultProvider()()).toMatchObject({
      accessKeyId: 'ASIAENV',
      secretAccessKey: 'env-secret',
      sessionToken: 'env-token',
      expiration: new Date('2030-01-02T03:04:05Z'),
    });
  });

  it('is what an SDK client signs with when given as its default provider', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'ASIAENV';
    process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
    const client = new DynamoDBClient({ region: 'eu-west-1', credentialDefaultProvider: defaultProvider });
    expect(await client.config.credentials()).toMatchObject({ accessKeyId: 'ASIAENV', secretAccessKey: 'env-secret' });
    expect((await client.config.credentials()).sessionToken).toBeUndefined();
  });

  it('rejects with a CredentialsProviderError naming both sources when there are none', async () => {
    const error = await defaultProvider()().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsProviderError);
    expect((error as Error).message).toMatch(/AWS_ACCESS_KEY_ID.*AWS_CONTAINER_CREDENTIALS_FULL_URI/s);
  });

  it('reads the container credentials endpoint when the environment has no keys, with its authorization token, once', async () => {
    const server = await endpoint();
    try {
      process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = server.url;
      process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN = 'container-token';
      const provider = defaultProvider();
      const credentials = await provider();
      expect(credentials).toMatchObject({ accessKeyId: 'ASIAENDPOINT1', secretAccessKey: 'endpoint-secret', sessionToken: 'endpoint-token' });
      expect(credentials.expiration!.getTime()).toBeGreaterThan(Date.now());
      expect(server.requests[0]!.authorization).toBe('container-token');
      // Memoized: credentials valid for an hour are not fetched again.
      expect(await provider()).toBe(credentials);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('fetches them again once they expire within five minutes', async () => {
    const server = await endpoint();
    // Only the clock is faked: the HTTP client's timers stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = server.url;
      const provider = defaultProvider();
      expect((await provider()).accessKeyId).toBe('ASIAENDPOINT1');
      vi.setSystemTime(Date.now() + 54 * 60_000);
      expect((await provider()).accessKeyId).toBe('ASIAENDPOINT1');
      vi.setSystemTime(Date.now() + 2 * 60_000);
      expect((await provider()).accessKeyId).toBe('ASIAENDPOINT2');
      expect(server.requests).toHaveLength(2);
    } finally {
      vi.useRealTimers();
      await server.close();
    }
  });

  it('prefers the environment to the endpoint', async () => {
    const server = await endpoint();
    try {
      process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = server.url;
      process.env.AWS_ACCESS_KEY_ID = 'ASIAENV';
      process.env.AWS_SECRET_ACCESS_KEY = 'env-secret';
      expect((await defaultProvider()()).accessKeyId).toBe('ASIAENV');
      expect(server.requests).toHaveLength(0);
    } finally {
      await server.close();
    }
  });
});
