import type { z } from 'zod';
import * as routes from '../../infra/routes/meta.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import type { OpenApiDocument } from '../../shared/schemas/common.ts';
// Built at build time (`npm run api:types`; test/unit/schemas/api-types.test.ts checks it is current): the bundle holds the finished document, not the builder and every schema.
import generatedDocument from '../../shared/schemas/openapi.generated.json' with { type: 'json' };

export const health = /* @__PURE__ */ httpHandler(routes.health, async () => ({ body: { status: 'ok' as const } }));

const document = generatedDocument as z.input<typeof OpenApiDocument>;

export const openApi = /* @__PURE__ */ httpHandler(routes.openApi, async () => ({ body: document, headers: { 'cache-control': 'public, max-age=300' } }));
