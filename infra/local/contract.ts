/**
 * The contract check (issue 16, "Kept true by CI"): every answer a handler
 * gives through the local gateway is held to what the OpenAPI document says
 * about its operation. The document (`buildOpenApi()`) is what is checked,
 * not the zod schemas it is built from, so a client generated from it and a
 * validating proxy such as Prism see the same contract.
 *
 * What an answer must be:
 * - its status is one the operation declares (`responses`, ranges such as
 *   `4XX` and `default` included);
 * - its `content-type` is one the declared response lists, and its body
 *   validates against that media type's schema (JSON Schema 2020-12, ajv);
 *   a response declared without content has no body;
 * - its headers are from the allowed set below (`cache-control` added to the
 *   issue's list, see there) or declared on the response;
 *   a header the document marks `required` is there. `www-authenticate` is
 *   allowed on a 401 only: RFC 9110 §11.6.1 requires the challenge there.
 *
 * On when `STOCKCLUB_CONTRACT_CHECK=1` (the integration tests' setup file
 * sets it; `npm start` leaves it off). A violation is logged, recorded (the
 * setup file fails the test file that caused any) and answered as a 500
 * `/problems/contract-violation`, so the test that made the call fails too.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { buildOpenApi } from '../../shared/schemas/openapi.ts';
import type { RouteDefinition } from '../routes.ts';

// ajv-formats is CommonJS: its default export arrives wrapped under ESM.
type AddFormats = (ajv: Ajv2020) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

type Json = Record<string, unknown>;

/** Headers any answer may carry; CORS headers (`access-control-*`) too. */
export const allowedResponseHeaders: ReadonlySet<string> = new Set([
  'content-type',
  'etag',
  'location',
  'idempotent-replayed',
  'retry-after',
  'allow',
  'vary',
  // A caching directive (`/openapi.json` sets one): it tells caches how long to keep an answer and changes nothing a client parses.
  'cache-control',
]);

export interface ContractViolation {
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly violations: readonly string[];
}

export const contractCheckEnabled = (): boolean => process.env.STOCKCLUB_CONTRACT_CHECK === '1';

const documentId = 'https://stockclub.local/openapi.json';

const pointer = (...segments: string[]): string => `#/${segments.map((s) => encodeURIComponent(s.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')}`;

const mediaType = (contentType: string | undefined): string | undefined => contentType?.split(';')[0]?.trim().toLowerCase() || undefined;

const mediaMatches = (declared: string, actual: string): boolean => {
  const [type, subtype] = declared.toLowerCase().split('/');
  const [actualType, actualSubtype] = actual.split('/');
  return (type === '*' || type === actualType) && (subtype === '*' || subtype === actualSubtype);
};

const isJson = (media: string): boolean => /[/+]json$/.test(media);

/** Builds a checker for a document (by default the one the API serves). */
export const createContractChecker = (document: Json = buildOpenApi()) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(document, documentId);
  const validators = new Map<string, ValidateFunction>();
  const validatorAt = (ref: string): ValidateFunction => {
    let validate = validators.get(ref);
    if (!validate) {
      validate = ajv.compile({ $ref: `${documentId}${ref}` });
      validators.set(ref, validate);
    }
    return validate;
  };

  /** Follows a `$ref` inside the document (`#/components/responses/Problem`), returning the object and its pointer. */
  const resolve = (value: unknown, at: string): { value: Json; at: string } => {
    let current = value as Json;
    let where = at;
    for (let hops = 0; typeof current?.$ref === 'string' && hops < 10; hops++) {
      where = current.$ref as string;
      current = where
        .slice(2)
        .split('/')
        .map((s) => decodeURIComponent(s).replaceAll('~1', '/').replaceAll('~0', '~'))
        .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], document) as Json;
    }
    return { value: current, at: where };
  };

  const responseFor = (responses: Json, status: number): string | undefined =>
    [String(status), `${String(status)[0]}XX`, 'default'].find((key) => key in responses);

  /** What is wrong with `result` as an answer of `route` (an empty list when nothing is). */
  const check = (route: Pick<RouteDefinition, 'method' | 'path'>, result: APIGatewayProxyStructuredResultV2): string[] => {
    const method = route.method.toLowerCase();
    const status = result.statusCode ?? 200;
    const operationAt = pointer('paths', route.path, method);
    const operation = (document.paths as Json | undefined)?.[route.path] as Json | undefined;
    const declared = (operation?.[method] as Json | undefined)?.responses as Json | undefined;
    if (!declared) return [`${route.method} ${route.path} is not in the document`];
    const key = responseFor(declared, status);
    if (!key) return [`status ${status} is not declared (declared: ${Object.keys(declared).join(', ')})`];
    const response = resolve(declared[key], `${operationAt}/responses/${key}`);
    const violations: string[] = [];

    const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]));
    const declaredHeaders = Object.fromEntries(
      Object.entries((response.value.headers as Json | undefined) ?? {}).map(([name, header]) => [name.toLowerCase(), resolve(header, '').value]),
    );
    for (const name of Object.keys(headers)) {
      const allowed =
        allowedResponseHeaders.has(name) || name.startsWith('access-control-') || name in declaredHeaders || (name === 'www-authenticate' && status === 401);
      if (!allowed) violations.push(`header ${name} is not allowed`);
    }
    for (const [name, header] of Object.entries(declaredHeaders)) {
      if (header.required === true && !(name in headers)) violations.push(`required header ${name} is missing`);
    }
    if (result.cookies !== undefined) violations.push('cookies are not declared');

    const content = response.value.content as Json | undefined;
    const body = result.body ?? '';
    if (!content) {
      if (body !== '') violations.push(`status ${status} declares no body, but one was sent`);
      return violations;
    }
    const media = mediaType(headers['content-type']);
    const declaredMedia = Object.keys(content).find((m) => media !== undefined && mediaMatches(m, media));
    if (!media || !declaredMedia) {
      violations.push(`content-type ${media ?? '(none)'} is not declared for ${status} (declared: ${Object.keys(content).join(', ')})`);
      return violations;
    }
    if (!(content[declaredMedia] as Json).schema) return violations;
    if (!isJson(media)) return violations;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      violations.push(`the ${media} body is not JSON`);
      return violations;
    }
    const validate = validatorAt(`${response.at}/content/${encodeURIComponent(declaredMedia.replaceAll('~', '~0').replaceAll('/', '~1'))}/schema`);
    if (!validate(parsed)) {
      for (const error of validate.errors ?? []) {
        const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
        violations.push(`body${error.instancePath} ${error.message ?? error.keyword}${extra}`);
      }
    }
    return violations;
  };

  return { check };
};

export type ContractChecker = ReturnType<typeof createContractChecker>;

const recorded: ContractViolation[] = [];

/** Records a violation for the test run to report. */
export const recordContractViolation = (violation: ContractViolation): void => {
  recorded.push(violation);
};

/** The violations recorded since the last call, emptied. */
export const takeContractViolations = (): ContractViolation[] => recorded.splice(0, recorded.length);

/** The 500 the gateway answers instead of an answer that breaks the contract. */
export const contractViolationAnswer = (violation: ContractViolation): APIGatewayProxyStructuredResultV2 => ({
  statusCode: 500,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({
    type: '/problems/contract-violation',
    title: 'contract-violation: the answer breaks the OpenAPI document',
    status: 500,
    detail: `${violation.operation} answered ${violation.status}: ${violation.violations.join('; ')}`,
    operation: violation.operation,
    answeredStatus: violation.status,
    violations: violation.violations,
  }),
});
