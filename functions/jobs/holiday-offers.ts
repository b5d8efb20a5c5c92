import type { ScheduledEvent } from 'aws-lambda';
import { createCampaign, startCampaign } from '../../shared/app/campaigns.ts';
import { ensurePromotion } from '../../shared/app/promotions.ts';
import { loadProgram } from '../../shared/app/members.ts';
import { forEachSettled } from '../../shared/concurrency.ts';
import { IdempotencyKeyReused } from '../../shared/domain/errors.ts';
import { derivedId } from '../../shared/domain/ids.ts';
import { addDays } from '../../shared/domain/time.ts';
import type { Holiday } from '../../shared/domain/tiers.ts';
import { logger } from '../../shared/observability.ts';
import { eventHandler } from '../../shared/triggers.ts';
import { nowIso } from '../../shared/clock.ts';

/** The holiday's coupon: 10 % off unless the program's holiday says otherwise. */
const defaultOffer: NonNullable<Holiday['offer']> = { percentOff: 10 };

/** The code printed in the message: the holiday and the year, so a member can type it. */
export const holidayCode = (holidayId: string, year: string): string => `${holidayId.slice(0, 30).toUpperCase()}-${year}`;

/**
 * The holiday's promotion (`holiday:{holidayId}:{year}`): a members-only
 * coupon with a shared code, once per member, valid on the holiday and the
 * next day; created once, a second run finds it.
 */
const holidayCoupon = async (holiday: Holiday, year: string, now: string) => {
  const terms: NonNullable<Holiday['offer']> = holiday.offer ?? defaultOffer;
  const from = `${year}-${holiday.date}`;
  const code = holidayCode(holiday.holidayId, year);
  await ensurePromotion(
    {
      ruleId: derivedId('holiday', holiday.holidayId, year),
      name: `${holiday.name} ${year}`,
      kind: 'COUPON',
      ...(terms.percentOff !== undefined ? { percentOff: terms.percentOff } : { amountOff: terms.amountOff! }),
      ...(terms.minSpend !== undefined ? { minSpend: terms.minSpend } : {}),
      sharedCode: code,
      stacking: 'COMBINABLE',
      priority: 0,
      conditions: { membersOnly: true, perMemberLimit: 1, from, to: addDays(`${from}T00:00:00Z`, 1).slice(0, 10) },
    },
    now,
  );
  const what = terms.percentOff !== undefined ? `${terms.percentOff} % off` : `${((terms.amountOff ?? 0) / 100).toFixed(2)} off`;
  return { code, what, until: addDays(`${from}T00:00:00Z`, 1).slice(0, 10) };
};

/** The message with its offer: the code, what it gives, until when. */
const withOffer = (text: string, offer: { code: string; what: string; until: string }): string => {
  const suffix = ` Your code: ${offer.code} (${offer.what}, once, until ${offer.until}).`;
  return `${text.slice(0, 1000 - suffix.length)}${suffix}`;
};

/**
 * Daily: a holiday of the program that falls today becomes a campaign to
 * its segment (every member by default) (id `holiday:{holidayId}:{year}`, so a second run the same
 * day starts the same campaign, and no admin's campaign can take it) with the tier's gift, fanned out through the
 * campaign-pages queue. The send gate holds each message until the end of
 * quiet hours in the member's zone; the offer lasts until the next day ends.
 */
export const holidayOffers = eventHandler(async (_event: ScheduledEvent) => {
  const now = nowIso();
  const today = now.slice(5, 10);
  const year = now.slice(0, 4);
  const started: string[] = [];
  const todays = ((await loadProgram(true)).holidays ?? []).filter((holiday) => holiday.date === today);
  // One holiday's trouble is logged and counted; the others still start.
  const failed = await forEachSettled(
    todays,
    1,
    async (holiday) => {
      const campaignId = derivedId('holiday', holiday.holidayId, year);
      const expiresAt = new Date(Date.UTC(Number(year), Number(today.slice(0, 2)) - 1, Number(today.slice(3)) + 2)).toISOString();
      // A real offer, not only words: a code each member may redeem once, today and tomorrow (on the store's calendar).
      const offer = await holidayCoupon(holiday, year, now);
      try {
        await createCampaign(
          {
            campaignId,
            name: `${holiday.name} ${year}`,
            segment: holiday.segment ?? {},
            channels: ['email', 'sms', 'push'],
            headline: holiday.headline,
            text: withOffer(holiday.text, offer),
            expiresAt,
            ...(holiday.pointsByTier ? { gift: { pointsByTier: holiday.pointsByTier } } : {}),
          },
          'system:holiday-offers',
          now,
        );
      } catch (error) {
        // The program's text changed since the first run today: the campaign that exists is the one that goes.
        if (!(error instanceof IdempotencyKeyReused)) throw error;
      }
      await startCampaign(campaignId, now);
      started.push(campaignId);
    },
    (holiday, error) => logger.error('Holiday offer failed', { holidayId: holiday.holidayId, error }),
  );
  logger.info('Holiday offers', { started, failed });
  return { started, failed };
});
