/**
 * The typed client's types (test/support/api-types.ts) are what
 * openapi-typescript generates from the current OpenAPI document: a change
 * to a route or schema that is not regenerated (`npm run api:types`) fails
 * here, and `tsc` then checks the example frontend flow
 * (test/support/frontend-flow.ts) against the new types.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypesFile, generateApiTypes, generateOpenApiDocument, openApiDocumentFile } from '../../../scripts/api-types.ts';

describe('generated API types', () => {
  it('are current (npm run api:types)', { timeout: 60_000 }, async () => {
    const generated = await generateApiTypes();
    expect(generated.length).toBeGreaterThan(1000);
    expect(readFileSync(apiTypesFile, 'utf8') === generated, 'test/support/api-types.ts is stale: npm run api:types').toBe(true);
  });

  it('and the OpenAPI document the openapi function serves are current (npm run api:types)', () => {
    expect(readFileSync(openApiDocumentFile, 'utf8') === generateOpenApiDocument(), 'shared/schemas/openapi.generated.json is stale: npm run api:types').toBe(
      true,
    );
  });

  it('type each problem by its type URI', () => {
    const text = readFileSync(apiTypesFile, 'utf8');
    expect(text).toContain('type: "/problems/out-of-stock";');
    expect(text).toContain('type: "/problems/precondition-failed";');
  });
});
