/**
 * Promotions as use-cases: HQ creates rules, lists them, pauses and resumes
 * them and issues coupon codes; the checkout (shared/app/checkout.ts) asks
 * this module which rules apply to a basket and which writes take their
 * budgets, per-member uses and codes in the sale's transaction. The rules
 * themselves (order, stacking, rounding, take-back) are in
 * shared/domain/promotions.ts; docs/members.md, "Promotions", states them.
 */
import { AlreadyExists, Conflict, NotEligible, NotFound, UnknownReference } from '../domain/errors.ts';
import { localDay } from '../domain/member-days.ts';
import {
  applyPromotions,
  conditionFailure,
  type PromotionContext,
  type PromotionResult,
  type PromotionRule,
  type PromotionStatus,
  type RuleUsage,
} from '../domain/promotions.ts';
import type { SaleLineInput } from '../domain/sales.ts';
import type { TierName } from '../domain/tiers.ts';
import { assertSameRequest, requestFingerprint } from '../db/fingerprint.ts';
import {
  activeRules,
  budgetTake,
  catalogPrices,
  forgetActiveRules,
  codePut,
  codeRedeem,
  listRules,
  memberUseTake,
  promotionView,
  readCodes,
  readMemberUses,
  readRule,
  readRules,
  ruleCreateItems,
  ruleOfItem,
  type StoredCode,
  type StoredRule,
  setRuleStatus,
  usageOfItem,
} from '../db/promotions.ts';
import { readProfile } from '../db/messages.ts';
import { loadReferences } from '../db/stock.ts';
import { TransactionCancelled, type TransactItem, transactWrite } from '../db/transact.ts';
import type { IssuedCodes, Promotion, PromotionInput } from '../schemas/promotions.ts';

// ---- admin

/** The SKUs and locations a rule names must exist (422 otherwise): a rule naming a missing gift would fail every sale it applies to. */
const assertReferences = async (input: PromotionInput) => {
  const skus = [
    ...(input.conditions.skus ?? []),
    ...(input.kind === 'SPEND_THRESHOLD_GIFT' ? [input.giftSku] : []),
    ...(input.kind === 'MEMBER_PRICE' ? [input.sku] : []),
    ...(input.kind === 'BUY_X_GET_Y' ? [...input.buySkus, ...(input.getSkus ?? [])] : []),
  ];
  await loadReferences([...new Set(skus)], [...new Set(input.conditions.locationIds ?? [])]);
};

/**
 * Creates a rule, ACTIVE at once (its conditions say from when). The same
 * body again answers the rule as it is (`created: false`), another body 422;
 * a code that belongs to another rule: 409 already-exists.
 */
export const createPromotion = async (input: PromotionInput, by: string, now: string): Promise<{ value: Promotion; created: boolean }> => {
  const fingerprint = requestFingerprint(input);
  const replay = async () => {
    const existing = await readRule(input.ruleId);
    if (!existing) return undefined;
    assertSameRequest(existing.fingerprint, fingerprint, `Promotion ${input.ruleId}`);
    return { value: promotionView(existing), created: false };
  };
  const earlier = await replay();
  if (earlier) return earlier;
  await assertReferences(input);
  const { codes, ...rule } = input.kind === 'COUPON' ? input : { ...input, codes: undefined };
  const items = ruleCreateItems(rule, codes ?? [], fingerprint, by, now);
  try {
    await transactWrite(items);
    forgetActiveRules();
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    const raced = await replay();
    if (raced) return raced;
    const taken = error.reasons
      .map((reason, i) => (i > 0 && reason.code === 'ConditionalCheckFailed' ? String(reason.item?.code ?? '') : undefined))
      .filter((code): code is string => code !== undefined);
    if (taken.length > 0)
      throw new AlreadyExists(`Codes belong to another rule: ${taken.join(', ')}`, {
        errors: taken.map((c) => ({ path: 'body.codes', message: `${c} is taken` })),
      });
    throw error;
  }
  const created = await readRule(input.ruleId);
  return { value: promotionView(created!), created: true };
};

export const listPromotions = async (query: { status?: PromotionStatus }): Promise<Promotion[]> =>
  (await listRules()).filter((rule) => query.status === undefined || rule.status === query.status).map(promotionView);

export const getPromotion = async (ruleId: string): Promise<Promotion> => {
  const rule = await readRule(ruleId);
  if (!rule) throw new NotFound(`Promotion ${ruleId} not found`);
  return promotionView(rule);
};

/** Pauses (PAUSED: no sale gets it, a sale that priced it a moment ago is refused at its budget and re-priced) or resumes a rule. */
export const setPromotionStatus = async (ruleId: string, status: PromotionStatus, now: string): Promise<Promotion> => {
  const rule = await setRuleStatus(ruleId, status, now);
  if (!rule) throw new NotFound(`Promotion ${ruleId} not found`);
  return promotionView(rule);
};

/** A member's code for a rule: derived, so issuing it again gives the same code. */
export const memberCode = (ruleId: string, memberId: string): string => {
  let hash = 0x811c9dc5;
  for (const char of `${ruleId}|${memberId}`) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  let second = 0x01000193;
  for (const char of `${memberId}|${ruleId}`) second = Math.imul(second ^ char.charCodeAt(0), 0x811c9dc5);
  return `M-${(hash >>> 0).toString(36).toUpperCase().padStart(7, '0')}${(second >>> 0).toString(36).toUpperCase().padStart(7, '0')}`;
};

/**
 * Issues codes of a COUPON rule: single-use codes anyone may redeem once,
 * or one code per member that only that member may redeem (the same member
 * again gets the same code). A code of another rule or member: 409.
 */
export const issueCodes = async (ruleId: string, body: { codes?: string[]; memberIds?: string[] }, now: string): Promise<IssuedCodes> => {
  const rule = await readRule(ruleId);
  if (!rule) throw new NotFound(`Promotion ${ruleId} not found`);
  if (rule.kind !== 'COUPON') throw new Conflict(`Promotion ${ruleId} is a ${String(rule.kind)}, not a coupon`);
  const wanted = body.memberIds
    ? body.memberIds.map((memberId) => ({ code: memberCode(ruleId, memberId), memberId }))
    : (body.codes ?? []).map((code) => ({ code, memberId: undefined }));
  if (body.memberIds) {
    const missing = (await Promise.all(body.memberIds.map(async (id) => ((await readProfile(id)) ? undefined : id)))).filter((id) => id !== undefined);
    if (missing.length > 0)
      throw new UnknownReference(
        'Unknown members',
        missing.map((id) => ({ path: 'body.memberIds', message: `unknown member ${id}` })),
      );
  }
  try {
    await transactWrite(wanted.map(({ code, memberId }) => codePut(code, ruleId, memberId, now)));
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    const taken = error.reasons.flatMap((reason, i) => (reason.code === 'ConditionalCheckFailed' ? [wanted[i]!.code] : []));
    if (taken.length === 0) throw error;
    throw new AlreadyExists(`Codes belong to another rule or member, or were used: ${taken.join(', ')}`, {
      errors: taken.map((c) => ({ path: body.memberIds ? 'body.memberIds' : 'body.codes', message: `${c} is taken` })),
    });
  }
  return { ruleId, codes: wanted.map(({ code, memberId }) => ({ code, ...(memberId ? { memberId } : {}) })) };
};

// ---- at the checkout

export interface PromotionPlan {
  readonly result: PromotionResult;
  readonly rules: ReadonlyMap<string, PromotionRule>;
  /** The single-use code items of the coupons applied. */
  readonly codes: readonly StoredCode[];
}

export interface BasketForPromotions {
  readonly bought: readonly SaleLineInput[];
  readonly locationId: string;
  readonly timeZone: string;
  readonly member?: { readonly memberId: string; readonly tier: TierName; readonly tags: readonly string[] };
  readonly tierDiscountPercent: number;
  readonly coupons?: readonly string[];
  /** Gift SKUs the sale found short: their rules give nothing this time (GIFT_OUT_OF_STOCK). */
  readonly giftsOutOfStock?: ReadonlySet<string>;
  readonly at: string;
}

/**
 * The presented codes, checked: each exists (else 422), is unused (409),
 * is the buyer's if bound to a member (403 not-eligible), and belongs to a
 * rule in force whose conditions hold for this sale (409, with the reason).
 */
const presentedCoupons = async (
  codes: readonly string[],
  rules: ReadonlyMap<string, PromotionRule>,
  context: Omit<PromotionContext, 'coupons'>,
): Promise<StoredCode[]> => {
  const found = await readCodes(codes);
  const missing = codes.filter((code) => !found.some((f) => f.code === code));
  if (missing.length > 0) {
    throw new UnknownReference(
      'Unknown coupon codes',
      missing.map((code) => ({ path: 'body.coupons', message: `unknown coupon ${code}` })),
    );
  }
  const ordered = codes.map((code) => found.find((f) => f.code === code)!);
  for (const code of ordered) {
    if (code.saleId) throw new Conflict(`Coupon ${code.code} was used (sale ${code.saleId})`, { code: code.code, ruleId: code.ruleId, reason: 'used' });
    if (code.memberId && code.memberId !== context.member?.memberId)
      throw new NotEligible(`Coupon ${code.code} belongs to another member`, { code: code.code });
    const rule = rules.get(code.ruleId);
    const reason = rule ? conditionFailure(rule, { ...context, coupons: [] }) : 'paused';
    if (reason) throw new Conflict(`Coupon ${code.code} cannot be redeemed: ${reason}`, { code: code.code, ruleId: code.ruleId, reason });
  }
  const byRule = new Set<string>();
  for (const code of ordered) {
    if (byRule.has(code.ruleId))
      throw new Conflict(`Two coupons of one promotion (${code.ruleId})`, { code: code.code, ruleId: code.ruleId, reason: 'one per sale' });
    byRule.add(code.ruleId);
  }
  return ordered;
};

/**
 * Which promotions apply to a basket, read fresh each attempt: the rules in
 * force, the budgeted ones' counters (consistent reads), the member's uses,
 * gifts' values, the presented coupons; then the pure evaluation.
 */
export const planPromotions = async (basket: BasketForPromotions): Promise<PromotionPlan> => {
  const listed = await activeRules();
  const budgeted = listed.filter((r) => r.budget !== undefined).map((r) => r.ruleId);
  const fresh = new Map((await readRules(budgeted)).map((r) => [r.ruleId, r] as const));
  const items: StoredRule[] = listed.map((r) => fresh.get(r.ruleId) ?? r);
  const rules = new Map(items.map((item) => [item.ruleId, ruleOfItem(item)] as const));
  const usage = new Map<string, RuleUsage>(items.map((item) => [item.ruleId, usageOfItem(item)] as const));
  const limited = [...rules.values()].filter((r) => r.conditions.perMemberLimit !== undefined).map((r) => r.ruleId);
  const memberUses = basket.member ? await readMemberUses(basket.member.memberId, limited) : new Map<string, number>();
  const giftPrices = await catalogPrices(
    [...rules.values()].flatMap((r) => (r.kind === 'SPEND_THRESHOLD_GIFT' && !basket.giftsOutOfStock?.has(r.giftSku) ? [r.giftSku] : [])),
  );
  const context = {
    ...(basket.member ? { member: basket.member } : {}),
    locationId: basket.locationId,
    localDay: localDay(basket.at, basket.timeZone),
    tierDiscountPercent: basket.tierDiscountPercent,
    usage,
    memberUses,
    giftPrices,
  };
  const codes = await presentedCoupons(basket.coupons ?? [], rules, context);
  const result = applyPromotions(basket.bought, [...rules.values()], { ...context, coupons: codes.map(({ code, ruleId }) => ({ code, ruleId })) });
  const applied = new Set(result.applied.map((p) => p.ruleId));
  return { result, rules, codes: codes.filter((c) => applied.has(c.ruleId) && !c.shared) };
};

/**
 * The writes that take what the sale's promotions use, for its transaction:
 * each budgeted rule's counters (conditioned on ACTIVE and room), each
 * limited rule's use by the member (conditioned on the limit), each
 * single-use code (conditioned on unused and the member's).
 */
export const promotionWrites = (
  plan: PromotionPlan,
  saleId: string,
  memberId: string | undefined,
  now: string,
): { budgets: TransactItem[]; uses: TransactItem[]; codes: TransactItem[] } => {
  const applied = plan.result.applied.map((p) => ({ promotion: p, rule: plan.rules.get(p.ruleId)! }));
  return {
    budgets: applied.filter(({ rule }) => rule.budget !== undefined).map(({ rule, promotion }) => budgetTake(rule, promotion.amount)),
    uses:
      memberId === undefined
        ? []
        : applied
            .filter(({ rule }) => rule.conditions.perMemberLimit !== undefined)
            .map(({ rule }) => memberUseTake(memberId, rule.ruleId, rule.conditions.perMemberLimit!, now)),
    codes: plan.codes.map((code) => codeRedeem(code, saleId, memberId, now)),
  };
};

/** For offers the jobs make: creates the rule unless it exists (a re-run the same day finds it). */
export const ensurePromotion = async (input: PromotionInput, now: string): Promise<Promotion> => {
  try {
    return (await createPromotion(input, 'system:promotions', now)).value;
  } catch (error) {
    const existing = await readRule(input.ruleId);
    if (existing) return promotionView(existing);
    throw error;
  }
};
