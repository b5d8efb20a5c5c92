/**
 * Promotion rules, coupon codes and per-member uses, as stored. A rule is
 * one inventory item (`PROMO#{ruleId}`) that also carries its budget
 * counters; while ACTIVE it sits in gsi1 `PROMOTIONS_ACTIVE`, so the
 * checkout reads the rules in force with one query. Codes are items of
 * their own (`PROMO_CODE#{code}`). A member's uses of a rule sit in the
 * member's partition (members table). The checkout takes budgets, uses and
 * codes with the conditional updates below, in the sale's transaction.
 */
import { tables } from '../../infra/tables.ts';
import { nowMillis } from '../clock.ts';
import { secondMillis } from '../domain/time.ts';
import type { PromotionRule, PromotionStatus, RuleUsage } from '../domain/promotions.ts';
import type { Promotion, PromotionInput } from '../schemas/promotions.ts';
import { batchGetInventory, batchGetItems, getInventoryItem } from './catalog.ts';
import { queryAll, tableName } from './client.ts';
import { entities, inventoryKeys, memberKeys, promotionKeys, withoutKeys } from './keys.ts';
import { membersTable } from './members.ts';
import { cachedReferences } from './reference-cache.ts';
import type { TransactItem } from './transact.ts';
import { documentClient } from './client.ts';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';

const inventory = () => tableName(tables.inventory);

/** A rule as stored: the input, its status and counters. */
export type StoredRule = Record<string, unknown> & { ruleId: string; status: PromotionStatus; fingerprint?: string };

/** The rule's item and its single-use codes, each new: a second create of the id fails at the rule (index 0), a taken code at its own index. */
export const ruleCreateItems = (
  rule: Omit<PromotionInput, 'codes'> & { ruleId: string },
  codes: readonly string[],
  fingerprint: string,
  by: string,
  now: string,
): TransactItem[] => [
  {
    Put: {
      TableName: inventory(),
      Item: {
        ...promotionKeys.rule(rule.ruleId),
        ...promotionKeys.listing(rule.ruleId),
        ...promotionKeys.active(rule.ruleId),
        entity: entities.promotion,
        ...rule,
        status: 'ACTIVE',
        used: 0,
        spent: 0,
        fingerprint,
        createdAt: now,
        updatedAt: now,
        createdBy: by,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  },
  ...codes.map((code) => codePut(code, rule.ruleId, undefined, now)),
  ...(rule.kind === 'COUPON' && 'sharedCode' in rule && typeof rule.sharedCode === 'string'
    ? [codePut(rule.sharedCode, rule.ruleId, undefined, now, true)]
    : []),
];

/**
 * A code for a rule, optionally bound to one member. Issuing the same code
 * for the same rule and member again is a no-op; a code that belongs to
 * another rule or member is refused (the condition fails).
 */
export const codePut = (code: string, ruleId: string, memberId: string | undefined, now: string, shared = false): TransactItem => ({
  Put: {
    TableName: inventory(),
    Item: {
      ...promotionKeys.code(code),
      entity: entities.couponCode,
      code,
      ruleId,
      ...(memberId ? { memberId } : {}),
      ...(shared ? { shared } : {}),
      issuedAt: now,
    },
    ConditionExpression: memberId
      ? 'attribute_not_exists(pk) OR (ruleId = :rule AND memberId = :member AND attribute_not_exists(saleId))'
      : 'attribute_not_exists(pk) OR (ruleId = :rule AND attribute_not_exists(memberId) AND attribute_not_exists(saleId))',
    ExpressionAttributeValues: { ':rule': ruleId, ...(memberId ? { ':member': memberId } : {}) },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  },
});

export const readRule = async (ruleId: string): Promise<StoredRule | undefined> =>
  (await getInventoryItem(promotionKeys.rule(ruleId))) as StoredRule | undefined;

/** Every rule (the admin list), by id. */
export const listRules = async (): Promise<StoredRule[]> =>
  (await queryAll({
    TableName: inventory(),
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': promotionKeys.listingKey },
  })) as StoredRule[];

/**
 * How long a container prices with the rules in force it read, without
 * asking the index again (every checkout asked: one round trip before the
 * transaction). What a stale list can do, for at most this long after a
 * change made through another container: leave out a rule just created or
 * resumed, or keep pricing with an unbudgeted rule just paused (the index
 * it comes from is eventually consistent anyway). A budgeted rule is read
 * again, consistently, before its budget is taken, and the take is
 * conditioned on the rule being active. A change made in this container
 * forgets the list at once. Measured on shared/clock.ts.
 */
export const activeRulesFreshnessMs = 10 * secondMillis;
let inForce: { rules: StoredRule[]; readAt: number } | undefined;

/** Forgets the cached rules in force: after this container created, paused or resumed a rule. */
export const forgetActiveRules = (): void => {
  inForce = undefined;
};

/** The rules in force (gsi1, eventually consistent: a rule paused this instant may still come; its budget take checks the status). */
export const activeRules = async (): Promise<StoredRule[]> => {
  const age = inForce ? nowMillis() - inForce.readAt : Number.POSITIVE_INFINITY;
  // A clock driven backwards makes no list fresh forever.
  if (inForce && age >= 0 && age < activeRulesFreshnessMs) return inForce.rules;
  const rules = (await queryAll({
    TableName: inventory(),
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': promotionKeys.activeKey },
  })) as StoredRule[];
  inForce = { rules, readAt: nowMillis() };
  return rules;
};

/** Rules as they are now (consistent reads), e.g. the budgeted ones before a sale counts on their counters. */
export const readRules = async (ruleIds: readonly string[]): Promise<StoredRule[]> =>
  ruleIds.length === 0 ? [] : ((await batchGetInventory([...new Set(ruleIds)].map((id) => promotionKeys.rule(id)))) as StoredRule[]);

/** Pauses or resumes a rule: only an ACTIVE rule is in the checkout's index partition. */
export const setRuleStatus = async (ruleId: string, status: PromotionStatus, now: string): Promise<StoredRule | undefined> => {
  const active = promotionKeys.active(ruleId);
  try {
    const output = await documentClient.send(
      new UpdateCommand({
        TableName: inventory(),
        Key: promotionKeys.rule(ruleId),
        UpdateExpression:
          status === 'ACTIVE'
            ? 'SET #status = :status, updatedAt = :now, gsi1pk = :g1, gsi1sk = :g1s'
            : 'SET #status = :status, updatedAt = :now REMOVE gsi1pk, gsi1sk',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': status, ':now': now, ...(status === 'ACTIVE' ? { ':g1': active.gsi1pk, ':g1s': active.gsi1sk } : {}) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    // After the write: a checkout in this container reading the list meanwhile cannot cache the old one past it.
    forgetActiveRules();
    return output.Attributes as StoredRule;
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return undefined;
    throw error;
  }
};

/** The rule as the pricing reads it. */
export const ruleOfItem = (item: StoredRule): PromotionRule => {
  const { kind, ruleId, name, status, stacking, priority, conditions, budget } = item as Record<string, unknown>;
  const fields: Record<string, unknown> = {};
  for (const key of ['minSpend', 'amountOff', 'giftSku', 'giftQty', 'buySkus', 'buyQty', 'getSkus', 'getQty', 'sku', 'pricesByTier', 'percentOff']) {
    if (item[key] !== undefined) fields[key] = item[key];
  }
  return {
    kind,
    ruleId,
    name,
    status,
    stacking: stacking ?? 'COMBINABLE',
    priority: Number(priority ?? 0),
    conditions: (conditions as object) ?? {},
    ...(budget ? { budget } : {}),
    ...fields,
  } as PromotionRule;
};

export const usageOfItem = (item: StoredRule): RuleUsage => ({ used: Number(item.used ?? 0), spent: Number(item.spent ?? 0) });

/** The rule as the API shows it. */
export const promotionView = (item: StoredRule): Promotion => {
  const rest = withoutKeys<Record<string, unknown>>(item, ['fingerprint', 'used', 'spent', 'version']);
  return { ...rest, usage: usageOfItem(item) } as Promotion;
};

// ---- codes

export interface StoredCode {
  code: string;
  ruleId: string;
  memberId?: string;
  saleId?: string;
  shared?: boolean;
}

/** The code items of the codes given (missing ones are left out). */
export const readCodes = async (codes: readonly string[]): Promise<StoredCode[]> =>
  codes.length === 0 ? [] : ((await batchGetInventory(codes.map((code) => promotionKeys.code(code)))) as unknown as StoredCode[]);

/** A single-use code, redeemed by the sale: still unused (and the member's, if bound to one). */
export const codeRedeem = (code: StoredCode, saleId: string, memberId: string | undefined, now: string): TransactItem => ({
  Update: {
    TableName: inventory(),
    Key: promotionKeys.code(code.code),
    UpdateExpression: `SET saleId = :sale, usedAt = :now${memberId ? ', usedBy = :member' : ''}`,
    ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(saleId)${code.memberId ? ' AND memberId = :member' : ''}`,
    ExpressionAttributeValues: { ':sale': saleId, ':now': now, ...(memberId || code.memberId ? { ':member': memberId ?? '' } : {}) },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  },
});

/** Catalogue prices of SKUs (a gift's value when it is not in the basket), through the product cache the booking uses; unknown SKUs are left out. */
export const catalogPrices = async (skus: readonly string[]): Promise<Map<string, number>> => {
  if (skus.length === 0) return new Map();
  const items = await cachedReferences(
    inventory(),
    [...new Set(skus)].map((sku) => inventoryKeys.product(sku)),
    batchGetInventory,
  );
  return new Map(items.map((item) => [item.sku as string, Number(item.price ?? 0)]));
};

// ---- budgets and per-member uses

/**
 * One more sale benefits and `amount` more is given: conditioned on the rule
 * being ACTIVE and on the budget having room, so concurrent sales never take
 * more than the budget (each loser reads again and prices without it).
 */
export const budgetTake = (rule: PromotionRule, amount: number): TransactItem => {
  const conditions = ['#status = :active'];
  const values: Record<string, unknown> = { ':active': 'ACTIVE', ':one': 1, ':amount': amount };
  if (rule.budget?.uses !== undefined) {
    conditions.push('used < :uses');
    values[':uses'] = rule.budget.uses;
  }
  if (rule.budget?.amount !== undefined) {
    conditions.push('spent <= :room');
    values[':room'] = rule.budget.amount - amount;
  }
  return {
    Update: {
      TableName: inventory(),
      Key: promotionKeys.rule(rule.ruleId),
      UpdateExpression: 'ADD used :one, spent :amount',
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
};

/** The member's uses of a rule, one more; the condition is the per-member limit. */
export const memberUseTake = (memberId: string, ruleId: string, limit: number, now: string): TransactItem => ({
  Update: {
    TableName: membersTable(),
    Key: memberKeys.promotionUse(memberId, ruleId),
    UpdateExpression: 'SET entity = :entity, ruleId = :rule, updatedAt = :now ADD uses :one',
    ConditionExpression: 'attribute_not_exists(uses) OR uses < :limit',
    ExpressionAttributeValues: { ':entity': entities.promotionUse, ':rule': ruleId, ':now': now, ':one': 1, ':limit': limit },
  },
});

/** How many sales of the member each rule gave something, by rule id. */
export const readMemberUses = async (memberId: string, ruleIds: readonly string[]): Promise<Map<string, number>> => {
  if (ruleIds.length === 0) return new Map();
  const items = await batchGetItems(
    membersTable(),
    [...new Set(ruleIds)].map((id) => memberKeys.promotionUse(memberId, id)),
  );
  return new Map(items.map((item) => [item.ruleId as string, Number(item.uses ?? 0)]));
};
