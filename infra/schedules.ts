/**
 * Scheduled jobs, declared once: EventBridge Scheduler schedules in AWS, the
 * local scheduler on one machine. Expressions use EventBridge syntax
 * (`rate(5 minutes)`, `cron(0 8 * * ? *)`), evaluated in `timeZone`.
 */
export interface ScheduleDefinition {
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
  },
} as const satisfies Record<string, ScheduleDefinition>;

export type ScheduleName = keyof typeof schedules;

export const scheduleList = (): [ScheduleName, ScheduleDefinition][] =>
  Object.entries(schedules) as [ScheduleName, ScheduleDefinition][];
