import type { z } from 'zod';
import { routes } from '../../infra/routes.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import type { OpenApiDocument } from '../../shared/schemas/common.ts';
import { buildOpenApi } from '../../shared/schemas/openapi.ts';

export const health = httpHandler(routes.health, async () => ({ body: { status: 'ok' as const } }));

// Built once per container: the document only changes with a deploy.
let document: z.input<typeof OpenApiDocument> | undefined;

export const openApi = httpHandler(routes.openApi, async () => {
  document ??= buildOpenApi() as z.input<typeof OpenApiDocument>;
  return { body: document, headers: { 'cache-control': 'public, max-age=300' } };
});
