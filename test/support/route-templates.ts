// The bodies live with the document's examples, so the fuzz, the extremes sweep and the OpenAPI examples share one source.
export { requestBodies as writeTemplates, type TemplateIds } from '../../shared/schemas/examples.ts';
