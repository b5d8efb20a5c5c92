/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles
 * (esbuild alias, infra/bundling.ts): every SDK client's runtimeConfig
 * imports its `defaultProvider`, and with it the whole default chain (SSO,
 * ini files, processes, web identity, login, token providers, instance
 * metadata and the STS/SSO/signin clients they call): with this module in
 * its place each minified bundle is ~125 KiB smaller (BENCHMARKS.md, issue
 * 19 part 3, session 11). Passing `credentials` to a client does not drop
 * it (aws/aws-sdk-js-v3#5516). In Lambda the credentials are always in the
 * environment, so those providers never run there.
 *
 * Kept: the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 * AWS_SESSION_TOKEN), then the container credentials endpoint
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI, as ECS and Lambda
 * managed instances hand them out). A function that must get credentials
 * any other way (a profile, web identity, instance metadata) has to leave
 * this alias out of its bundling.
 *
 * The local cloud (infra/local/) and the tests run the TypeScript source
 * through tsx/vitest, not bundles: they keep the SDK's real chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { type FromHttpOptions, fromHttp } from '@aws-sdk/credential-provider-http';
import { doesIdentityRequireRefresh, isIdentityExpired, memoizeIdentityProvider } from '@smithy/core';
import { CredentialsProviderError } from '@smithy/core/config';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

const containerUriVars = ['AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'];

/** The SDK client calls this with its config (the logger among it) once per client. */
export const defaultProvider = (init: FromHttpOptions = {}): AwsCredentialIdentityProvider => {
  const env = fromEnv(init);
  const resolve = async (): Promise<AwsCredentialIdentity> => {
    try {
      return await env();
    } catch (error) {
      if (!containerUriVars.some((name) => process.env[name])) {
        throw new CredentialsProviderError(
          'Could not load credentials: none in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY) and no container credentials endpoint ' +
            `(${containerUriVars.join(', ')}); Lambda bundles carry only these two sources (shared/aws/lambda-credentials.ts)`,
          { logger: init.logger, tryNextLink: false },
        );
      }
      init.logger?.debug(`shared/aws/lambda-credentials: ${(error as Error).message}; trying the container credentials endpoint`);
      return fromHttp(init)();
    }
  };
  // As the SDK memoizes credentials given to a client: one lookup (one HTTP request for the endpoint), renewed 5 minutes before they expire.
  return memoizeIdentityProvider(resolve, isIdentityExpired, doesIdentityRequireRefresh)!;
};
