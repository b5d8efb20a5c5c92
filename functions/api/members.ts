import * as routes from '../../infra/routes/members.ts';
import * as members from '../../shared/app/members.ts';
import * as points from '../../shared/app/points.ts';
import * as tiers from '../../shared/app/tiers.ts';
import { unsubscribe as unsubscribeByLink } from '../../shared/app/messages.ts';
import { subscribeStockAlert as subscribe } from '../../shared/app/stock-alerts.ts';
import { etag, httpHandler, replayHeaders } from '../../shared/http/handler.ts';
import { nowIso } from '../../shared/clock.ts';

export const getProgram = /* @__PURE__ */ httpHandler(routes.getProgram, async () => {
  const program = await members.loadProgram();
  return { body: program, headers: etag(program.version) };
});

export const updateProgram = /* @__PURE__ */ httpHandler(routes.updateProgram, async ({ body, ifMatch, principal }) => {
  const program = await members.saveProgram(body, ifMatch, principal);
  return { body: program, headers: etag(program.version) };
});

export const registerMember = /* @__PURE__ */ httpHandler(routes.registerMember, async ({ body, principal, idempotencyKey }) => {
  const { member, created } = await members.registerMember(body, principal, idempotencyKey);
  if (principal.role === 'member') {
    // Self-signup: nothing in the answer may depend on whether the email or phone was taken.
    return {
      status: routes.registerMember.alsoSucceeds.status,
      body: {
        memberId: member.memberId,
        status: 'ACCEPTED' as const,
        detail: 'Registered. If the email or phone given belongs to a membership already, its holder has been told there.',
      },
      headers: replayHeaders(!created),
    };
  }
  return { body: member, headers: { ...etag(member.version), ...replayHeaders(!created) } };
});

export const getMember = /* @__PURE__ */ httpHandler(routes.getMember, async ({ params, principal }) => {
  const member = await members.getMember(params.memberId, principal);
  return { body: member, headers: etag(member.version) };
});

export const updateMember = /* @__PURE__ */ httpHandler(routes.updateMember, async ({ params, body, ifMatch, principal }) => {
  const member = await members.updateMember(params.memberId, body, ifMatch, principal);
  return { body: member, headers: etag(member.version) };
});

export const getMemberPoints = /* @__PURE__ */ httpHandler(routes.getMemberPoints, async ({ params, principal }) => ({
  body: await points.memberPoints(params.memberId, principal),
}));

export const listPointsEntries = /* @__PURE__ */ httpHandler(routes.listPointsEntries, async ({ params, query, principal }) => ({
  body: await points.pointsLedger(params.memberId, principal, query.limit, query.cursor),
}));

export const redeemPoints = /* @__PURE__ */ httpHandler(routes.redeemPoints, async ({ params, body, principal, idempotencyKey }) => {
  const { redemptionId: _id, ...redemption } = body;
  const { result, replayed } = await points.redeemPoints(params.memberId, redemption, idempotencyKey, principal);
  return { body: result, headers: replayHeaders(replayed) };
});

export const adjustPoints = /* @__PURE__ */ httpHandler(routes.adjustPoints, async ({ params, body, principal, idempotencyKey }) => {
  const { adjustmentId: _id, ...adjustment } = body;
  const { result, replayed } = await points.adjustPoints(params.memberId, adjustment, idempotencyKey, principal);
  return { body: result, headers: replayHeaders(replayed) };
});

export const buyPaidTier = /* @__PURE__ */ httpHandler(routes.buyPaidTier, async ({ params, body, principal, idempotencyKey }) => {
  const { paymentId: _id, ...purchase } = body;
  const { member, replayed } = await tiers.buyPaidTier(params.memberId, purchase, idempotencyKey, principal);
  return { body: member, headers: { ...etag(member.version), ...replayHeaders(replayed) } };
});

export const reviewMemberTier = /* @__PURE__ */ httpHandler(routes.reviewMemberTier, async ({ params, principal }) => ({
  body: await tiers.reviewMemberTierNow(params.memberId, principal),
}));

export const subscribeStockAlert = /* @__PURE__ */ httpHandler(routes.subscribeStockAlert, async ({ params, body, principal }) => ({
  body: await subscribe(params.memberId, body.sku, body.locationId, principal),
}));

/** Answers the same whether or not the member still exists, so links reveal nothing. */
export const unsubscribe = /* @__PURE__ */ httpHandler(routes.unsubscribe, async ({ query }) => {
  await unsubscribeByLink(query.member, query.channel, query.sig, nowIso());
  return { body: { unsubscribed: true as const, channel: query.channel } };
});

export const setMemberTags = /* @__PURE__ */ httpHandler(routes.setMemberTags, async ({ params, body }) => {
  const member = await members.setMemberTags(params.memberId, body.tags);
  return { body: member, headers: etag(member.version) };
});
