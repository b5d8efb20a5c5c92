/**
 * Scheduled jobs, declared once: EventBridge Scheduler schedules in AWS, the
 * local scheduler on one machine. Expressions use EventBridge syntax
 * (`rate(5 minutes)`, `cron(0 8 * * ? *)`), evaluated in `timeZone`.
 */
import type { Grants } from './grants.ts';

export interface ScheduleDefinition extends Grants {
  readonly entry: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly description: string;
}

export const schedules = {
  releaseExpiredHolds: {
    entry: 'functions/jobs/release-expired-holds.ts',
    expression: 'rate(1 minute)',
    timeZone: 'UTC',
    description: 'Releases holds past their expiry without waiting for DynamoDB TTL, which may lag for hours',
    tables: { inventory: 'readWrite' },
  },
  expirePoints: {
    entry: 'functions/jobs/expire-points.ts',
    expression: 'cron(15 0 * * ? *)',
    timeZone: 'UTC',
    description: 'Books EXPIRE for points lots past their expiry, lot by lot, first-in-first-out',
    tables: { members: 'readWrite' },
    sendsTo: ['memberBatches'],
  },
  replenishmentSweep: {
    entry: 'functions/jobs/replenishment-sweep.ts',
    expression: 'cron(30 1 * * ? *)',
    timeZone: 'UTC',
    description: 'Re-checks every SKU at every location, the safety net for stream records that never arrived',
    tables: { inventory: 'readWrite' },
  },
  tierReview: {
    entry: 'functions/jobs/tier-review.ts',
    expression: 'cron(0 3 * * ? *)',
    timeZone: 'UTC',
    description: 'Reviews the members whose review is due: at most one tier down, never inside the grace period, and tells the members lowered',
    tables: { members: 'readWrite' },
    sendsMessages: true,
    sendsTo: ['memberBatches'],
  },
  pointsExpiryReminders: {
    entry: 'functions/jobs/points-expiry-reminders.ts',
    expression: 'cron(0 7 * * ? *)',
    timeZone: 'UTC',
    description: 'Tells members whose points expire in 14 days, once per member and day (lot-expiry index, never a scan)',
    tables: { members: 'readWrite' },
    sendsMessages: true,
    sendsTo: ['memberBatches'],
  },
  birthdayGifts: {
    entry: 'functions/jobs/birthday-gifts.ts',
    // Hourly, so local midnight is caught in every zone: each run reads the birthdays of every date that is today somewhere.
    expression: 'cron(5 * * * ? *)',
    timeZone: 'UTC',
    description: "Birthday points by tier and one birthday message per member on the member's local date (birthday index, never a scan)",
    tables: { members: 'readWrite' },
    sendsMessages: true,
    sendsTo: ['memberBatches'],
  },
  dispatchDeferred: {
    entry: 'functions/jobs/dispatch-deferred.ts',
    expression: 'rate(5 minutes)',
    timeZone: 'UTC',
    description: 'Sends member messages deferred by quiet hours or frequency caps, and later back-in-stock waves, once their time has come',
    tables: { members: 'readWrite', inventory: 'read' },
    sendsMessages: true,
  },
  startCampaigns: {
    entry: 'functions/jobs/start-campaigns.ts',
    expression: 'rate(5 minutes)',
    timeZone: 'UTC',
    description: 'Fans scheduled campaigns whose time has come out to the campaign-pages queue',
    tables: { members: 'readWrite' },
    sendsTo: ['campaignPages'],
  },
  eventReminders: {
    entry: 'functions/jobs/event-reminders.ts',
    expression: 'cron(0 9 * * ? *)',
    timeZone: 'UTC',
    description: 'Members registered for an event that starts tomorrow (UTC day) get one reminder each through the send gate',
    tables: { inventory: 'read', members: 'readWrite' },
    sendsMessages: true,
  },
  holidayOffers: {
    entry: 'functions/jobs/holiday-offers.ts',
    expression: 'cron(0 5 * * ? *)',
    timeZone: 'UTC',
    description: 'A holiday of the program that falls today: one campaign to every member with the tier gift, through the campaign-pages queue',
    tables: { inventory: 'readWrite', members: 'readWrite' },
    sendsTo: ['campaignPages'],
  },
  overstockPromotions: {
    entry: 'functions/jobs/overstock-promotions.ts',
    expression: 'cron(0 4 ? * MON *)',
    timeZone: 'UTC',
    description: 'SKUs with too many days of cover across the chain: a campaign to the members who bought them, through the campaign-pages queue',
    tables: { inventory: 'readWrite', members: 'readWrite' },
    sendsTo: ['campaignPages'],
  },
  abcClassification: {
    entry: 'functions/jobs/abc-classification.ts',
    expression: 'cron(0 2 ? * SUN *)',
    timeZone: 'UTC',
    description:
      'Reclassifies products A/B/C by annual consumption value with the configuration in force (set over POST /analytics/abc/runs) and writes class and policy back',
    tables: { inventory: 'readWrite' },
  },
} as const satisfies Record<string, ScheduleDefinition>;

export type ScheduleName = keyof typeof schedules;

export const scheduleList = (): [ScheduleName, ScheduleDefinition][] => Object.entries(schedules) as [ScheduleName, ScheduleDefinition][];
