/**
 * Product feedback as use-cases: a member rates a product they bought
 * (verified against their sale) once per purchase; HQ reads ratings per
 * product and per store, store staff those of their stores; a low rating
 * of a recent purchase sends a service message through the send gate.
 */
import { addTotals, assertBought, needsFollowUp, type RatingTotals, summaryOf } from '../domain/feedback.ts';
import { AlreadyExists, TemporarilyUnavailable, ValidationFailed } from '../domain/errors.ts';
import { assertLocationAccess, assertMemberAccess, type Principal, visibleLocations } from '../domain/principal.ts';
import { logger } from '../observability.ts';
import { getLocation, getProduct } from '../db/catalog.ts';
import {
  feedbackItems,
  latestAtStore,
  latestOfProduct,
  productTotals,
  productTotalsByStore,
  readFeedback,
  readFeedbackRequest,
  storeTotals,
  storeTotalsByProduct,
} from '../db/feedback.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import { readProfile } from '../db/messages.ts';
import { readSale } from '../db/sales.ts';
import { TransactionCancelled, transactLabelled } from '../db/transact.ts';
import type { Feedback } from '../schemas/feedback.ts';
import { deliver } from './messages.ts';

/** How many of the latest ratings a read shows. */
const recentCount = 20;

export interface FeedbackRequest {
  readonly memberId?: string;
  readonly saleId: string;
  readonly sku: string;
  readonly rating: number;
  readonly comment?: string;
}

/**
 * A rating of one purchase (sale and SKU). The sale must be the member's
 * and hold the SKU (404 / 422 otherwise); a second rating of the same
 * purchase is 409 already-exists; the same feedback id again answers the
 * first answer, with another body 422. A member rates for themselves;
 * staff may record one for a member at the store of the sale.
 */
export const giveFeedback = async (
  request: FeedbackRequest,
  feedbackId: string,
  principal: Principal,
  now: string,
): Promise<{ value: Feedback; created: boolean }> => {
  const memberId = principal.role === 'member' ? principal.memberId! : request.memberId;
  if (memberId === undefined) throw new ValidationFailed('Staff record feedback for a member: name them', [{ path: 'body.memberId', message: 'required' }]);
  if (request.memberId !== undefined) assertMemberAccess(principal, request.memberId);
  const fingerprint = requestFingerprint({ ...request, memberId });
  const replay = async () => {
    const earlier = await readFeedbackRequest(feedbackId);
    if (!earlier) return undefined;
    assertSameRequest(earlier.fingerprint, fingerprint, `Feedback ${feedbackId}`);
    return { value: earlier.answer, created: false };
  };
  const earlier = await replay();
  if (earlier) return earlier;

  const sale = await readSale(request.saleId);
  assertBought(sale, memberId, request.saleId, request.sku);
  const locationId = String(sale!.locationId);
  if (principal.role === 'store') assertLocationAccess(principal, locationId);
  const boughtAt = String(sale!.at);
  const followUp = needsFollowUp(request.rating, boughtAt, now);
  const feedback: Feedback = {
    feedbackId,
    memberId,
    saleId: request.saleId,
    sku: request.sku,
    locationId,
    rating: request.rating,
    ...(request.comment !== undefined ? { comment: request.comment } : {}),
    boughtAt,
    at: now,
    followUp,
  };
  try {
    await transactLabelled(feedbackItems(feedback, fingerprint));
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAtLabel('request')) {
      const raced = await replay();
      if (raced) return raced;
    }
    if (error.failedAtLabel('feedback')) {
      const first = await readFeedback(request.saleId, request.sku);
      throw new AlreadyExists(`${request.sku} of sale ${request.saleId} was rated already`, { feedbackId: first?.feedbackId });
    }
    throw new TemporarilyUnavailable('The feedback could not be stored; retry with the same id', 1);
  }
  if (followUp) await serviceFollowUp(feedback);
  return { value: feedback, created: true };
};

/**
 * A low rating of a recent purchase: a transactional service message (it
 * answers what the member told us) through the send gate, keyed by the
 * purchase, so it goes at most once. Its failure never undoes the rating.
 */
const serviceFollowUp = async (feedback: Feedback): Promise<void> => {
  try {
    const [profile, product] = await Promise.all([readProfile(feedback.memberId), getProduct(feedback.sku).catch(() => undefined)]);
    const productName = String((product as { name?: string } | undefined)?.name ?? feedback.sku);
    const delivery = await deliver(
      feedback.memberId,
      {
        source: `feedback-follow-up-${feedback.saleId}-${feedback.sku}`,
        kind: 'transactional',
        template: 'OFFER',
        vars: {
          name: String(profile?.name ?? ''),
          headline: `We are sorry ${productName} disappointed you`,
          text: `thank you for rating ${productName} ${feedback.rating} of 5. Our store team will contact you; you can also return or exchange it within the return period.`,
        },
        channels: ['email', 'sms', 'push'],
      },
      feedback.at,
    );
    logger.info('Feedback follow-up', { memberId: feedback.memberId, saleId: feedback.saleId, sku: feedback.sku, status: delivery.status });
  } catch (error) {
    logger.error('The feedback follow-up could not be sent', { memberId: feedback.memberId, saleId: feedback.saleId, error });
  }
};

const allowed = (principal: Principal) => {
  const locations = visibleLocations(principal);
  return (locationId: string) => locations === undefined || locations.includes(locationId);
};

/** A product's ratings: over every store for HQ, over their stores for store staff; per store; the latest. */
export const productRatings = async (sku: string, principal: Principal) => {
  await getProduct(sku);
  const may = allowed(principal);
  const chainWide = visibleLocations(principal) === undefined;
  const [byStore, total, recent] = await Promise.all([productTotalsByStore(sku), chainWide ? productTotals(sku) : undefined, latestOfProduct(sku, 100)]);
  const mine = byStore.filter((s) => may(s.locationId)).sort((a, b) => (a.locationId < b.locationId ? -1 : 1));
  return {
    sku,
    summary: summaryOf(chainWide ? total : addTotals(mine)),
    byStore: mine.map((s) => ({ locationId: s.locationId, summary: summaryOf(s) })),
    recent: recent.filter((f) => may(f.locationId)).slice(0, recentCount),
  };
};

/** A store's ratings: overall, per product, the latest (HQ, or staff of that store). */
export const storeRatings = async (locationId: string, principal: Principal) => {
  assertLocationAccess(principal, locationId);
  const [total, byProduct, recent] = await Promise.all([storeTotals(locationId), storeTotalsByProduct(locationId), latestAtStore(locationId, recentCount)]);
  if (!total && byProduct.length === 0) {
    // A store nobody rated yet answers zeros; an unknown one 404.
    await getLocation(locationId);
  }
  return {
    locationId,
    summary: summaryOf(total as RatingTotals | undefined),
    byProduct: byProduct.sort((a, b) => (a.sku < b.sku ? -1 : 1)).map((p) => ({ sku: p.sku, summary: summaryOf(p) })),
    recent,
  };
};
