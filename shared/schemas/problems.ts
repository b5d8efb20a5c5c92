import * as z from 'zod';

/**
 * Every problem `type` the API answers, in one table: its HTTP status, its
 * title and the extension members it carries (RFC 9457 §3.2). The problem
 * writer (shared/http/problem.ts) takes status and title from here; the
 * OpenAPI document (shared/schemas/openapi.ts) makes one component schema per
 * entry, named `schema`, with `type` fixed to the entry's URI.
 *
 * A new DomainError subclass needs an entry here (test/unit/schemas/problems.test.ts checks).
 */

/** Problem `type` URIs are relative references under this path (RFC 9457 §3.1.1). */
export const problemTypeBase = '/problems/';

/**
 * The extension members are zod schemas that only the OpenAPI document reads;
 * a function's problem writer needs status and title alone. So they are built
 * on first read (each entry's `details` is a getter, built once): a Lambda
 * does not construct them at init (BENCHMARKS.md, issue 19 part 3).
 */
const once = <T>(build: () => T): (() => T) => {
  let built: T | undefined;
  return () => (built ??= build());
};

const FieldError = /* @__PURE__ */ once(() =>
  z.object({ path: z.string(), message: z.string() }).meta({ id: 'FieldError', description: 'Where the request went wrong and why' }),
);
const FieldErrors = /* @__PURE__ */ once(() => z.array(FieldError()));

const Shortage = /* @__PURE__ */ once(() =>
  z
    .object({
      sku: z.string(),
      locationId: z.string(),
      requested: z.int(),
      available: z.int(),
      state: z
        .enum(['DAMAGED', 'QUALITY_CONTROL', 'SAFETY_STOCK'])
        .optional()
        .meta({ description: 'When the units were short in an unavailable state, which one; `available` then counts that state' }),
    })
    .meta({ id: 'Shortage', description: 'A line that could not be served' }),
);

const validationFailedDetails = /* @__PURE__ */ once(() => ({ errors: FieldErrors().meta({ description: 'One entry per invalid field' }) }));
const notEligibleDetails = /* @__PURE__ */ once(() => ({
  sku: z.string().optional(),
  minTier: z.string().optional().meta({ description: 'The tier the product needs' }),
  skus: z.array(z.string()).optional().meta({ description: 'Member-exclusive SKUs a movement may not sell' }),
}));
const conflictDetails = /* @__PURE__ */ once(() => ({
  sku: z.string().optional(),
  scope: z.string().optional(),
  epcs: z.array(z.string()).optional().meta({ description: 'RFID tags already sold or returned' }),
  lines: z.array(z.object({}).loose()).optional().meta({ description: 'Lines that exceed what is open' }),
  suggestions: z.array(z.string()).optional().meta({ description: 'Suggestions that are no longer open' }),
  counted: z.int().optional(),
  reserved: z.int().optional(),
  code: z.string().optional().meta({ description: 'A coupon code that cannot be redeemed' }),
  ruleId: z.string().optional().meta({ description: "The coupon's promotion rule" }),
  reason: z.string().optional().meta({ description: 'Why the coupon cannot be redeemed: used, paused, budget used up, per-member limit reached, ...' }),
}));
const alreadyExistsDetails = /* @__PURE__ */ once(() => ({ errors: FieldErrors().optional(), gtin: z.string().optional() }));
const outOfStockDetails = /* @__PURE__ */ once(() => ({ shortages: z.array(Shortage()) }));
const insufficientPointsDetails = /* @__PURE__ */ once(() => ({ requested: z.int(), available: z.int() }));
const allocationExhaustedDetails = /* @__PURE__ */ once(() => ({ sku: z.string(), remaining: z.int().optional(), perMemberLimit: z.int().optional() }));
const preconditionFailedDetails = /* @__PURE__ */ once(() => ({
  currentVersion: z.int().optional().meta({ description: 'The version the resource is at (send it in If-Match after re-reading)' }),
}));
const unknownReferenceDetails = /* @__PURE__ */ once(() => ({ errors: FieldErrors() }));

export interface ProblemTypeEntry {
  readonly status: number;
  readonly title: string;
  /** Component schema name in the OpenAPI document. */
  readonly schema: string;
  readonly description: string;
  /** Extension members beyond type, title, status, detail and instance. */
  readonly details: z.ZodRawShape;
}

export const problemTypes = {
  'validation-failed': {
    status: 400,
    title: 'The request is not valid',
    schema: 'ValidationProblem',
    description: 'Body, query, path or header failed validation; nothing was written',
    get details() {
      return validationFailedDetails();
    },
  },
  unauthorized: {
    status: 401,
    title: 'A valid bearer token is required',
    schema: 'UnauthorizedProblem',
    description: 'No bearer token, or one that is not valid',
    details: {},
  },
  forbidden: {
    status: 403,
    title: 'Not allowed for this caller',
    schema: 'ForbiddenProblem',
    description: "The caller's role or locations do not allow this",
    details: {},
  },
  'not-eligible': {
    status: 403,
    title: 'The buyer is not eligible for this',
    schema: 'NotEligibleProblem',
    description: 'A member-exclusive product: no member, tier too low, or not sold this way',
    get details() {
      return notEligibleDetails();
    },
  },
  'not-found': {
    status: 404,
    title: 'Not found',
    schema: 'NotFoundProblem',
    description: 'No such resource (or one the caller may not know about), or no such route',
    details: {},
  },
  'method-not-allowed': {
    status: 405,
    title: 'Method not allowed',
    schema: 'MethodNotAllowedProblem',
    description: 'The path exists, the method does not; `Allow` lists the methods it has',
    details: {},
  },
  conflict: {
    status: 409,
    title: 'Conflicts with the current state',
    schema: 'ConflictProblem',
    description: 'The resource is not in a state that allows this; the members present depend on the case',
    get details() {
      return conflictDetails();
    },
  },
  'already-exists': {
    status: 409,
    title: 'Already exists',
    schema: 'AlreadyExistsProblem',
    description: 'Created before with other values, or a unique value (GTIN, email, phone) belongs to another',
    get details() {
      return alreadyExistsDetails();
    },
  },
  'out-of-stock': {
    status: 409,
    title: 'Not enough stock available',
    schema: 'OutOfStockProblem',
    description: 'Some lines ask for more than is available; nothing was booked',
    get details() {
      return outOfStockDetails();
    },
  },
  'insufficient-points': {
    status: 409,
    title: 'Not enough points available',
    schema: 'InsufficientPointsProblem',
    description: 'The member has fewer available points than asked for',
    get details() {
      return insufficientPointsDetails();
    },
  },
  'allocation-exhausted': {
    status: 409,
    title: 'Member allocation exhausted or member limit reached',
    schema: 'AllocationExhaustedProblem',
    description: 'Fewer member-exclusive units are left than asked for (`remaining`), or the member reached the per-member limit (`perMemberLimit`)',
    get details() {
      return allocationExhaustedDetails();
    },
  },
  'precondition-failed': {
    status: 412,
    title: 'The resource changed since it was read',
    schema: 'PreconditionFailedProblem',
    description: 'If-Match names another version; read the resource again',
    get details() {
      return preconditionFailedDetails();
    },
  },
  'payload-too-large': {
    status: 413,
    title: 'The request is too large',
    schema: 'PayloadTooLargeProblem',
    description: 'The body is larger than the API takes',
    details: {},
  },
  'unknown-reference': {
    status: 422,
    title: 'Refers to something that does not exist',
    schema: 'UnknownReferenceProblem',
    description: 'The request names a SKU, location, member or hold that does not exist',
    get details() {
      return unknownReferenceDetails();
    },
  },
  'idempotency-key-reused': {
    status: 422,
    title: 'Idempotency key reused with a different request',
    schema: 'IdempotencyKeyReusedProblem',
    description: 'The idempotency key (or body id) was used before with another request body',
    details: {},
  },
  'precondition-required': {
    status: 428,
    title: 'An If-Match header is required',
    schema: 'PreconditionRequiredProblem',
    description: 'Send If-Match with the version from the ETag',
    details: {},
  },
  'too-many-requests': {
    status: 429,
    title: 'Too many requests',
    schema: 'TooManyRequestsProblem',
    description: 'Throttled; retry after the time in Retry-After',
    details: {},
  },
  internal: {
    status: 500,
    title: 'Internal error',
    schema: 'InternalProblem',
    description: 'Something unanticipated; it has been logged',
    details: {},
  },
  'temporarily-unavailable': {
    status: 503,
    title: 'Temporarily unavailable, retry later',
    schema: 'TemporarilyUnavailableProblem',
    description: 'The store pushed back after retries; retry after the time in Retry-After',
    details: {},
  },
} as const satisfies Record<string, ProblemTypeEntry>;

export type ProblemTypeSlug = keyof typeof problemTypes;

/** The full `type` URI of a problem slug. */
export const problemTypeUri = (slug: ProblemTypeSlug): string => `${problemTypeBase}${slug}`;

/** The zod schema of one problem type: the RFC 9457 members, `type` fixed, and its extension members. */
const problemSchemaFor = (slug: ProblemTypeSlug): z.ZodType => {
  const entry: ProblemTypeEntry = problemTypes[slug];
  return z
    .object({
      type: z.literal(problemTypeUri(slug)),
      title: z.string(),
      status: z.literal(entry.status),
      detail: z.string().optional(),
      instance: z.string().optional(),
      ...entry.details,
    })
    .loose()
    .meta({ id: entry.schema, description: `${entry.description} (\`${problemTypeUri(slug)}\`, ${entry.status}).` });
};

/** One zod schema per problem type, built once (ids are registered globally). */
export const problemSchemas = /* @__PURE__ */ Object.fromEntries(
  /* @__PURE__ */ /* @__PURE__ */ (Object.keys(problemTypes) as ProblemTypeSlug[]).map((slug) => [slug, problemSchemaFor(slug)]),
) as Record<ProblemTypeSlug, z.ZodType>;
