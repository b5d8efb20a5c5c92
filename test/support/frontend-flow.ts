/**
 * A small frontend flow written against the typed client that
 * openapi-typescript generates from the OpenAPI document (api-types.ts) and
 * openapi-fetch: what a till app does. `tsc --noEmit -p .` checks it against
 * the document's types; test/integration/typed-client.test.ts runs it
 * against the local API.
 *
 * register a member -> look up a product by GTIN -> sell it to the member ->
 * read the member's points -> try to sell more than is in stock and handle
 * the 409 by its problem type.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './api-types.ts';

type Schemas = components['schemas'];

export interface FlowInput {
  readonly baseUrl: string;
  /** A store (till) token for `locationId`. */
  readonly token: string;
  readonly locationId: string;
  readonly gtin: string;
  /** Unique per run: makes the writes' ids. */
  readonly runId: string;
}

export interface FlowResult {
  readonly member: Schemas['Member'];
  readonly product: Schemas['Product'];
  readonly receipt: Schemas['Receipt'];
  readonly points: Schemas['MemberPoints'];
  /** What the till shows when a sale is refused for stock: one line per short SKU. */
  readonly refusal: string[];
}

/** What a till tells the cashier for each 409 the sale can answer, told apart by `type`. */
export const explainConflict = (
  problem:
    | Schemas['OutOfStockProblem']
    | Schemas['AllocationExhaustedProblem']
    | Schemas['InsufficientPointsProblem']
    | Schemas['ConflictProblem']
    | Schemas['AlreadyExistsProblem'],
): string[] => {
  switch (problem.type) {
    case '/problems/out-of-stock':
      return problem.shortages.map((s) => `${s.sku}: ${s.available} of ${s.requested} in stock at ${s.locationId}`);
    case '/problems/allocation-exhausted':
      return [
        problem.perMemberLimit !== undefined
          ? `${problem.sku}: at most ${problem.perMemberLimit} per member`
          : `${problem.sku}: ${problem.remaining ?? 0} left for members`,
      ];
    case '/problems/insufficient-points':
      return [`only ${problem.available} of ${problem.requested} points available`];
    case '/problems/already-exists':
    case '/problems/conflict':
      return [problem.detail ?? problem.title];
  }
};

export const runFrontendFlow = async (input: FlowInput): Promise<FlowResult> => {
  const client = createClient<paths>({ baseUrl: input.baseUrl, headers: { authorization: `Bearer ${input.token}` } });

  const registered = await client.POST('/members', {
    params: { header: { 'Idempotency-Key': `${input.runId}-signup` } },
    body: { name: 'Anna Schmidt', email: `${input.runId}@example.com`, consent: { email: true, sms: false } },
  });
  if (registered.error) throw new Error(`registration refused: ${registered.error.type}`);
  if (!('tier' in registered.data)) throw new Error('a till registering gets the member, not a self-signup answer');
  const member = registered.data;

  const found = await client.GET('/products', { params: { query: { gtin: input.gtin } } });
  if (found.error) throw new Error(`lookup refused: ${found.error.type}`);
  const product = found.data.items[0];
  if (!product) throw new Error(`no product with GTIN ${input.gtin}`);

  const sold = await client.POST('/sales', {
    body: {
      saleId: `${input.runId}-sale-1`,
      locationId: input.locationId,
      memberId: member.memberId,
      lines: [{ sku: product.sku, qty: 1, unitPrice: product.price }],
    },
  });
  if (sold.error) throw new Error(`sale refused: ${sold.error.type}`);
  const receipt = sold.data;

  const balance = await client.GET('/members/{memberId}/points', { params: { path: { memberId: member.memberId } } });
  if (balance.error) throw new Error(`points refused: ${balance.error.type}`);

  const tooMany = await client.POST('/sales', {
    body: {
      saleId: `${input.runId}-sale-2`,
      locationId: input.locationId,
      memberId: member.memberId,
      lines: [{ sku: product.sku, qty: 10_000, unitPrice: product.price }],
    },
  });
  if (!tooMany.error) throw new Error('a sale of more than is in stock went through');
  const problem = tooMany.error;
  if (tooMany.response.status !== 409 || problem.status !== 409) throw new Error(`expected a 409, got ${problem.status} ${problem.type}`);
  return { member, product, receipt, points: balance.data, refusal: explainConflict(problem) };
};
