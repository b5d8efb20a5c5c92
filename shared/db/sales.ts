/**
 * Sales and returns, as stored: where stock and membership meet. One sale
 * is one TransactWriteItems call across both tables: the sale record (its
 * id is the idempotency guard), the SALE movement with its level updates,
 * the member's profile (spend, visits, tier; version-conditioned), the
 * points lots spent and earned with their ledger entries, and
 * member-exclusive allocations. This module builds the sale's and the
 * return's own items and reads them back; the use-cases that assemble the
 * transactions are in shared/app/checkout.ts and shared/app/returns.ts.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { tables } from '../../infra/tables.ts';
import { decodeEpc } from '../domain/epc.ts';
import type { LotTake } from '../domain/points.ts';
import type { SoldLine } from '../domain/sales.ts';
import type { Upgrade } from '../domain/tiers.ts';
import { getInventoryItem } from './catalog.ts';
import { documentClient, tableName } from './client.ts';
import { assertSameRequest } from './fingerprint.ts';
import { entities, memberKeys, rfidKeys, salesKeys } from './keys.ts';
import { membersTable } from './members.ts';
import type { TransactItem } from './transact.ts';
import type { Allocation, Receipt, ReturnReceipt } from '../schemas/members.ts';

const inventory = () => tableName(tables.inventory);

export interface SaleCommand {
  saleId: string;
  locationId: string;
  memberId?: string;
  lines: { sku: string; qty: number; unitPrice: number; epcs?: string[] }[];
  redeemPoints?: number;
  /** Coupon codes presented (shared/app/promotions.ts). */
  coupons?: string[];
  /** When the till made the sale, if it posts late; absent means when it arrives. */
  occurredAt?: string;
}

/** Movement ids of sales and returns use `:`, which client-chosen ids cannot contain. */
export const saleMovementId = (saleId: string) => `sale:${saleId}`;
export const returnMovementId = (saleId: string, returnId: string) => `return:${saleId}:${returnId}`;

// ---- member-exclusive allocations

/** The stored allocation as answered (before `remaining` is capped by what exists, see shared/app/sales.ts). */
export const allocationView = (item: Record<string, unknown>): Allocation => ({
  sku: item.sku as string,
  ...(item.locationId === undefined ? {} : { locationId: item.locationId as string }),
  quantity: Number(item.quantity),
  sold: Number(item.sold ?? 0),
  remaining: Number(item.remaining ?? 0),
  updatedAt: item.updatedAt as string,
});

/** The allocation of one scope as stored (with its version), or undefined. */
export const readAllocation = (sku: string, scope: string): Promise<Record<string, unknown> | undefined> => getInventoryItem(salesKeys.allocation(sku, scope));

/**
 * Sets how many units are set aside for members, at one location or (`*`)
 * for the whole chain, conditioned on the version read: a concurrent PUT or
 * sale through the allocation meanwhile fails here, and the caller reads
 * again. Units already sold stay sold: remaining is the new quantity minus
 * them (the caller refuses a quantity below what is sold).
 */
export const allocationWrite = (
  sku: string,
  scope: string,
  next: { quantity: number; sold: number; version: number },
  before: Record<string, unknown> | undefined,
  now: string,
): TransactItem => {
  const names: Record<string, string> = { '#scope': 'scope', '#version': 'version' };
  const values: Record<string, unknown> = {
    ':entity': entities.allocation,
    ':sku': sku,
    ':scope': scope,
    ':q': next.quantity,
    ':sold': next.sold,
    ':remaining': next.quantity - next.sold,
    ':version': next.version,
    ':now': now,
  };
  let condition = 'attribute_not_exists(pk)';
  if (before) {
    // Allocations written before versions were kept have none: they are at version 0.
    // (a sale through one leaves it without a version, but changes `sold`).
    condition = before.version === undefined ? 'attribute_not_exists(#version) AND sold = :soldBefore' : '#version = :before';
    if (before.version === undefined) values[':soldBefore'] = before.sold ?? 0;
    else values[':before'] = before.version;
  }
  return {
    Update: {
      TableName: inventory(),
      Key: salesKeys.allocation(sku, scope),
      UpdateExpression:
        'SET entity = :entity, sku = :sku, #scope = :scope, quantity = :q, sold = :sold, remaining = :remaining, #version = :version, updatedAt = :now' +
        (scope === '*' ? '' : ', locationId = :scope'),
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
};

/**
 * The allocations of a SKU as stored; `setAside` says the units of a
 * location's allocation sit in that level's `reserved` (written since
 * allocations are stock, i.e. with a version; the chain's never are).
 */
export const allocationsOf = async (sku: string): Promise<(Allocation & { setAside: boolean })[]> => {
  const output = await documentClient.send(
    new QueryCommand({ TableName: inventory(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': salesKeys.allocationsOfSku(sku) } }),
  );
  return (output.Items ?? []).map((item) => ({ ...allocationView(item), setAside: item.locationId !== undefined && item.version !== undefined }));
};

export interface ExclusiveLine {
  sku: string;
  qty: number;
  scope: string;
  perMemberLimit?: number;
  /** The allocation's units sit in the level's `reserved`: the sale takes them from there (see `allocationsOf`). */
  fromReserved?: boolean;
}

export const allocationTake = (line: ExclusiveLine): TransactItem => {
  // The version moves with every change, so a PUT computed from the state before this sale is refused and re-read
  // (one written before allocations were stock keeps none: its PUT is conditioned on `sold` instead).
  const versioned = line.scope === '*' || line.fromReserved === true;
  return {
    Update: {
      TableName: inventory(),
      Key: salesKeys.allocation(line.sku, line.scope),
      UpdateExpression: `ADD remaining :minus, sold :qty${versioned ? ', #version :one' : ''}`,
      // Whether the units come from reserved was decided on the allocation as read: one set aside meanwhile (it gains a version) is refused, not miscounted.
      ConditionExpression:
        line.scope === '*'
          ? 'remaining >= :qty'
          : `remaining >= :qty AND ${line.fromReserved ? 'attribute_exists(#version)' : 'attribute_not_exists(#version)'}`,
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':minus': -line.qty, ':qty': line.qty, ...(versioned ? { ':one': 1 } : {}) },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
};

/** The member's running count for a limited product; the condition is the per-member limit. */
export const claimUpdate = (memberId: string, line: ExclusiveLine & { perMemberLimit: number }, now: string): TransactItem => ({
  Update: {
    TableName: membersTable(),
    Key: memberKeys.exclusiveClaim(memberId, line.sku),
    UpdateExpression: 'SET entity = :entity, sku = :sku, updatedAt = :now ADD bought :qty',
    ConditionExpression: 'attribute_not_exists(bought) OR bought <= :room',
    ExpressionAttributeValues: { ':entity': entities.exclusiveClaim, ':sku': line.sku, ':now': now, ':qty': line.qty, ':room': line.perMemberLimit - line.qty },
  },
});

// ---- the sale

/** A tagged unit sold, kept on the sale so its return can make the serial sellable again. */
export interface SoldTag {
  sku: string;
  epc: string;
}

/**
 * A returned unit's serial goes back to stock at the return location, only
 * if it is still this sale's (a cloned tag or a second return changes nothing).
 */
export const serialReturnedUpdate = (tag: SoldTag, saleId: string, locationId: string, at: string): TransactItem => {
  const decoded = decodeEpc(tag.epc);
  if (!decoded.ok) throw new Error(`Stored EPC ${tag.epc} no longer decodes: ${decoded.reason}`);
  return {
    Update: {
      TableName: tableName(tables.rfid),
      Key: rfidKeys.serial(decoded.gtin, decoded.serial),
      UpdateExpression: 'SET #state = :inStock, #locationId = :loc, #returnedAt = :at REMOVE #saleId',
      ConditionExpression: '#saleId = :saleId',
      ExpressionAttributeNames: { '#state': 'state', '#locationId': 'locationId', '#returnedAt': 'returnedAt', '#saleId': 'saleId' },
      ExpressionAttributeValues: { ':inStock': 'IN_STOCK', ':loc': locationId, ':at': at, ':saleId': saleId },
    },
  };
};

/** The sale as stored (its receipt, lines, sold tags, redeemed lots, version), or undefined. */
export const readSale = (saleId: string): Promise<Record<string, unknown> | undefined> => getInventoryItem(salesKeys.sale(saleId));

/** The first receipt of a sale id already booked, if the request is the same (else 422). */
export const replaySale = async (saleId: string, fingerprint: string): Promise<Receipt | undefined> => {
  const existing = await readSale(saleId);
  if (!existing) return undefined;
  assertSameRequest(existing.fingerprint, fingerprint, `Sale ${saleId}`);
  return existing.receipt as Receipt;
};

/** The sale record; its key is the sale id, so a second booking of the id fails here (index 0 of the transaction). */
export const salePut = (
  command: SaleCommand,
  receipt: Receipt,
  booked: { serials: readonly SoldTag[]; redeemed: readonly LotTake[]; upgrade?: Upgrade; pointsRedeemed: number },
  fingerprint: string,
  by: string,
  at: string,
): TransactItem => ({
  Put: {
    TableName: inventory(),
    Item: {
      ...salesKeys.sale(command.saleId),
      ...(command.memberId ? salesKeys.memberPurchase(command.memberId, at, command.saleId) : {}),
      entity: entities.sale,
      saleId: command.saleId,
      locationId: command.locationId,
      memberId: command.memberId,
      lines: receipt.lines,
      redeemedLots: booked.redeemed,
      soldTags: booked.serials,
      upgrade: booked.upgrade,
      pointsRedeemed: booked.pointsRedeemed,
      receipt,
      fingerprint,
      version: 1,
      at,
      by,
    },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

// ---- returns

export interface ReturnCommand {
  returnId: string;
  locationId?: string;
  lines: { sku: string; qty: number; epcs?: string[] }[];
}

/** A return already booked under this id, if any. */
export const readReturn = (saleId: string, returnId: string): Promise<Record<string, unknown> | undefined> =>
  getInventoryItem(salesKeys.saleReturn(saleId, returnId));

/** The return record; its key is the return id, so the same return booked meanwhile fails here. */
export const returnPut = (saleId: string, receipt: ReturnReceipt, fingerprint: string, by: string, at: string): TransactItem => ({
  Put: {
    TableName: inventory(),
    Item: { ...salesKeys.saleReturn(saleId, receipt.returnId), entity: entities.saleReturn, receipt, fingerprint, at, by },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});

/**
 * The sale's lines with what is now returned (and any promotion money taken
 * back, with the rules taken back so far), conditioned on the version read:
 * another return of the sale meanwhile fails here.
 */
export const saleLinesUpdate = (
  saleId: string,
  linesAfter: readonly SoldLine[],
  version: unknown,
  promotionsTakenBack: readonly string[] = [],
): TransactItem => ({
  Update: {
    TableName: inventory(),
    Key: salesKeys.sale(saleId),
    UpdateExpression: `SET #lines = :lines, #version = #version + :one${promotionsTakenBack.length > 0 ? ', promotionsTakenBack = :taken' : ''}`,
    ConditionExpression: '#version = :version',
    ExpressionAttributeNames: { '#lines': 'lines', '#version': 'version' },
    ExpressionAttributeValues: {
      ':lines': linesAfter,
      ':version': version,
      ':one': 1,
      ...(promotionsTakenBack.length > 0 ? { ':taken': promotionsTakenBack } : {}),
    },
  },
});
