/**
 * Who a campaign is for. A segment is a conjunction of optional criteria
 * over what the member record already holds; an empty segment is everyone.
 * Pure: the member comes in as its profile record.
 */
import { effectiveTier, type MonthlyTotals, rollingTotal, tierRank, type TierName, type TierState } from './tiers.ts';
import { dayMillis } from './time.ts';

export interface Segment {
  readonly tiers?: readonly TierName[];
  readonly minTier?: TierName;
  /** Rolling 12-month spend, minor units. */
  readonly minSpend?: number;
  readonly maxSpend?: number;
  readonly minVisits?: number;
  /** Bought nothing for at least this many days (lapsed members). */
  readonly inactiveDays?: number;
  /** 1-12: members with a birthday in this month. */
  readonly birthdayMonth?: number;
  /** Members carrying at least one of these tags (a tagged group). */
  readonly tags?: readonly string[];
  /** Members who bought at least one of these SKUs, within `withinDays` when given (product affinity). */
  readonly affinity?: { readonly skus: readonly string[]; readonly withinDays?: number };
}

export interface SegmentMember extends TierState {
  readonly birthday?: string;
  readonly spendByMonth: MonthlyTotals;
  readonly visitsByMonth: MonthlyTotals;
  /** The last month with a visit, as the buckets know it. */
  readonly lastVisitMonth?: string;
  readonly tags?: readonly string[];
  /** When the member last bought each SKU the segment asks about (from the buyer index). */
  readonly lastBought?: Readonly<Record<string, string>>;
}

export const lastVisitMonth = (visits: MonthlyTotals): string | undefined =>
  Object.entries(visits)
    .filter(([, n]) => n > 0)
    .map(([m]) => m)
    .sort()
    .at(-1);

/** Whether the member is in the segment now, and if not, the first criterion that excludes them. */
export const segmentMatch = (member: SegmentMember, segment: Segment, now: string, rollingMonths = 12): { in: boolean; because?: string } => {
  const tier = effectiveTier(member, now);
  const spend = rollingTotal(member.spendByMonth, now, rollingMonths);
  const visits = rollingTotal(member.visitsByMonth, now, rollingMonths);
  const checks: [boolean, string][] = [
    [!segment.tiers || segment.tiers.includes(tier), `tier ${tier}`],
    [!segment.minTier || tierRank(tier) >= tierRank(segment.minTier), `tier ${tier} below ${segment.minTier}`],
    [segment.minSpend === undefined || spend >= segment.minSpend, `spend ${spend}`],
    [segment.maxSpend === undefined || spend <= segment.maxSpend, `spend ${spend}`],
    [segment.minVisits === undefined || visits >= segment.minVisits, `visits ${visits}`],
    [segment.birthdayMonth === undefined || Number(member.birthday?.slice(5, 7)) === segment.birthdayMonth, 'birthday month'],
    [segment.inactiveDays === undefined || inactiveFor(member, now) >= segment.inactiveDays, 'bought recently'],
    [!segment.tags || segment.tags.some((tag) => member.tags?.includes(tag)), 'not tagged'],
    [!segment.affinity || boughtWithin(member, segment.affinity, now), 'no affinity'],
  ];
  const failed = checks.find(([ok]) => !ok);
  return failed ? { in: false, because: failed[1] } : { in: true };
};

/** Whole days since the end of the last month with a visit (months are the resolution the record keeps). */
const inactiveFor = (member: SegmentMember, now: string): number => {
  const last = member.lastVisitMonth ?? lastVisitMonth(member.visitsByMonth);
  if (!last) return Number.POSITIVE_INFINITY;
  const [year, month] = last.split('-').map(Number) as [number, number];
  return Math.floor((Date.parse(now) - Date.UTC(year, month, 1)) / dayMillis);
};

const boughtWithin = (member: SegmentMember, affinity: NonNullable<Segment['affinity']>, now: string): boolean =>
  affinity.skus.some((sku) => {
    const at = member.lastBought?.[sku];
    return at !== undefined && (affinity.withinDays === undefined || Date.parse(now) - Date.parse(at) <= affinity.withinDays * dayMillis);
  });
