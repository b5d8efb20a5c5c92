/**
 * The routes functions/api/epcis.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { EpcisDocument, EpcisQuery } from '../../shared/schemas/epcis.ts';
import { staffAndService, type RouteWithGrants } from './definition.ts';

export const exportEpcisEvents = {
  method: 'GET',
  path: '/epcis/events',
  entry: 'functions/api/epcis.ts',
  auth: staffAndService,
  tag: 'stock',
  tables: { inventory: 'read', rfid: 'read' },
  summary: "A location's item-level gate events as a GS1 EPCIS 2.0 EPCISDocument of ObjectEvents (admin, service; store staff for their own locations)",
  query: EpcisQuery,
  success: {
    status: 200,
    schema: EpcisDocument,
    mediaType: 'application/ld+json',
    description: 'An EPCISDocument (JSON-LD), one page of events, oldest first',
  },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { exportEpcisEvents };
