/**
 * The routes functions/api/meta.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { Health, OpenApiDocument } from '../../shared/schemas/common.ts';
import type { RouteWithGrants } from './definition.ts';

export const health = {
  method: 'GET',
  path: '/health',
  entry: 'functions/api/meta.ts',
  auth: 'public',
  tag: 'meta',
  tables: {},
  summary: 'Liveness',
  success: { status: 200, schema: Health, description: 'The API answers' },
} as const satisfies RouteWithGrants;

export const openApi = {
  method: 'GET',
  path: '/openapi.json',
  entry: 'functions/api/meta.ts',
  auth: 'public',
  tag: 'meta',
  tables: {},
  summary: 'This API as OpenAPI 3.1',
  success: { status: 200, schema: OpenApiDocument, description: 'The OpenAPI document' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { health, openApi };
