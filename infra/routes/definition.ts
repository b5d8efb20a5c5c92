/**
 * What a route is (the types every route module and the HTTP layer read) and
 * the role and table-access lists the route modules share. No schema is
 * imported here: each module under infra/routes/ imports only its own.
 */
import type { z } from 'zod';
import type { Role } from '../../shared/domain/principal.ts';
import type { Grants } from '../grants.ts';

export type IdempotencyKeySource =
  | 'movementId'
  | 'saleId'
  | 'returnId'
  | 'redemptionId'
  | 'adjustmentId'
  | 'paymentId'
  | 'purchaseOrderId'
  | 'receiptId'
  | 'runId'
  | 'campaignId'
  | 'eventId'
  | 'registrationId'
  | 'feedbackId'
  | 'ruleId'
  | 'header';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway path syntax: `/stock/{sku}`. */
  readonly path: string;
  /** Handler module, relative to the repository root. */
  readonly entry: string;
  /** Who may call; `public` needs no token. */
  readonly auth: 'public' | readonly Role[];
  readonly summary: string;
  readonly tag: string;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  /** A body the route takes but does not read, declared so clients and proxies know it may come (RFC 8058: mail clients POST a one-click unsubscribe as a form). */
  readonly ignoredBody?: { readonly mediaType: string; readonly schema: Record<string, unknown>; readonly example: unknown; readonly description: string };
  /** Where a write's idempotency key comes from: the body's id (backed or replaced by the Idempotency-Key header), or the header alone. */
  readonly idempotencyKey?: IdempotencyKeySource;
  /** Conditional updates need If-Match with the version from an ETag. */
  readonly ifMatch?: boolean;
  /** `mediaType`: the answer's content type where it is not `application/json` (e.g. `application/ld+json`). */
  readonly success: { readonly status: number; readonly schema?: z.ZodType; readonly mediaType?: string; readonly description: string };
  /**
   * Where a 201's created resource is read: the path of the GET route that
   * reads it, its `{names}` filled from the answer's fields. httpHandler sets
   * `Location` from it on every 201; routes whose creation has no GET route
   * have none (test/unit/local/contract.test.ts checks each names a GET route).
   */
  readonly location?: string;
  /** Problem types (slugs of shared/schemas/problems.ts) the route answers beyond those its tables and method imply, e.g. a dry run that reads but refuses like a write. */
  readonly problems?: readonly string[];
  /** Another success a route answers in some cases (its handler sets `status`). */
  readonly alsoSucceeds?: { readonly status: number; readonly schema?: z.ZodType; readonly description: string };
}

/** A route of this API and what its function may touch (tests of the HTTP layer declare bare routes). */
export interface RouteWithGrants extends RouteDefinition, Grants {}

/** Every route's Lambda timeout (API Gateway gives up at 30 s anyway). */
export const routeTimeoutSeconds = 10;

export const staff = ['admin', 'store'] as const;
export const staffAndService = ['admin', 'store', 'service'] as const;
export const everyone = ['admin', 'store', 'service', 'member'] as const;
export const readMembers = { members: 'read' } as const;
export const writeMembers = { members: 'readWrite' } as const;
export const readInventory = { inventory: 'read' } as const;
export const writeInventory = { inventory: 'readWrite' } as const;
