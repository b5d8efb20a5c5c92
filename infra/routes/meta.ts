/**
 * The routes functions/api/meta.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { Health, OpenApiDocument } from '../../shared/schemas/common.ts';
import type { RouteWithGrants } from './definition.ts';

export const routes = {
  health: {
    method: 'GET',
    path: '/health',
    entry: 'functions/api/meta.ts',
    auth: 'public',
    tag: 'meta',
    tables: {},
    summary: 'Liveness',
    success: { status: 200, schema: Health, description: 'The API answers' },
  },
  openApi: {
    method: 'GET',
    path: '/openapi.json',
    entry: 'functions/api/meta.ts',
    auth: 'public',
    tag: 'meta',
    tables: {},
    summary: 'This API as OpenAPI 3.1',
    success: { status: 200, schema: OpenApiDocument, description: 'The OpenAPI document' },
  },
} as const satisfies Record<string, RouteWithGrants>;
