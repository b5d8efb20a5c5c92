/**
 * The routes functions/api/campaigns.ts handles. The handler imports this module,
 * not infra/routes.ts (which lists every route), so its bundle holds only the
 * schemas its own routes name.
 */
import { Campaign, CampaignDispatch, CampaignDryRun, CampaignInput, CampaignPageQuery, CampaignParams } from '../../shared/schemas/members.ts';
import { readMembers, writeMembers, type RouteWithGrants } from './definition.ts';

export const createCampaign = {
  method: 'POST',
  path: '/campaigns',
  entry: 'functions/api/campaigns.ts',
  auth: ['admin'],
  tag: 'members',
  tables: writeMembers,
  summary: 'Create a campaign: segment, channels, message, expiry, budget, cap',
  body: CampaignInput,
  idempotencyKey: 'campaignId',
  location: '/campaigns/{campaignId}',
  success: { status: 201, schema: Campaign, description: 'The campaign' },
} as const satisfies RouteWithGrants;

export const startCampaign = {
  method: 'POST',
  path: '/campaigns/{campaignId}/start',
  entry: 'functions/api/campaigns.ts',
  auth: ['admin'],
  tag: 'members',
  tables: writeMembers,
  sendsTo: ['campaignPages'],
  summary: 'Send the campaign to its whole segment now, through the campaign-pages queue (starting twice starts once)',
  params: CampaignParams,
  success: { status: 202, schema: Campaign, description: 'The campaign, RUNNING, with its fan-out' },
} as const satisfies RouteWithGrants;

export const getCampaign = {
  method: 'GET',
  path: '/campaigns/{campaignId}',
  entry: 'functions/api/campaigns.ts',
  auth: ['admin'],
  tag: 'members',
  tables: readMembers,
  summary: 'A campaign with its report (sent, deferred, skipped so far)',
  params: CampaignParams,
  success: { status: 200, schema: Campaign, description: 'The campaign' },
} as const satisfies RouteWithGrants;

export const dryRunCampaign = {
  method: 'POST',
  path: '/campaigns/{campaignId}/dry-run',
  entry: 'functions/api/campaigns.ts',
  auth: ['admin'],
  tag: 'members',
  tables: readMembers,
  summary: 'Who would get the campaign now and who would not, and why (a page of members; nothing sent)',
  params: CampaignParams,
  query: CampaignPageQuery,
  success: { status: 200, schema: CampaignDryRun, description: 'One page of decisions' },
} as const satisfies RouteWithGrants;

export const dispatchCampaign = {
  method: 'POST',
  path: '/campaigns/{campaignId}/dispatch',
  entry: 'functions/api/campaigns.ts',
  auth: ['admin'],
  tag: 'members',
  tables: writeMembers,
  sendsMessages: true,
  summary: 'Send the campaign to one page of members (call again with the cursor); sending a page twice sends nothing twice',
  params: CampaignParams,
  query: CampaignPageQuery,
  success: { status: 200, schema: CampaignDispatch, description: 'What this page did' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { createCampaign, startCampaign, getCampaign, dryRunCampaign, dispatchCampaign };
