/**
 * The routes functions/api/abc.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { AbcRun, AbcRunInput } from '../../shared/schemas/abc.ts';
import { writeInventory, type RouteWithGrants } from './definition.ts';

export const runAbcClassification = {
  method: 'POST',
  path: '/analytics/abc/runs',
  entry: 'functions/api/abc.ts',
  auth: ['admin'],
  tag: 'replenishment',
  tables: writeInventory,
  summary: 'Classify A/B/C now (the weekly schedule does it too); a config sent here stays in force for the scheduled runs',
  body: AbcRunInput,
  idempotencyKey: 'runId',
  success: { status: 201, schema: AbcRun, description: 'The run: Pareto figures, products changed and the configuration used' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { runAbcClassification };
