import { routes } from '../../infra/routes.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import { buildOpenApi } from '../../shared/schemas/openapi.ts';

export const health = httpHandler(routes.health, async () => ({ body: { status: 'ok' as const } }));

// Built once per container: the document only changes with a deploy.
let document: Record<string, unknown> | undefined;

export const openApi = httpHandler(routes.openApi, async () => {
  document ??= buildOpenApi();
  return { body: document, headers: { 'cache-control': 'public, max-age=300' } };
});
