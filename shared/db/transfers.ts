/**
 * Transfers in transit: the record a shipped TRANSFER writes beside its
 * movement, and the receipts booked against it. A receipt is one
 * TransactWriteItems call: the TRANSFER_IN movement at the destination (its
 * level update raises `onHand` and settles `incoming`, with its ledger
 * entry) and the transfer's update, conditioned per line on `open >= qty`
 * and on the version read, so receipts can never together exceed what was
 * shipped. Access and the decisions are in shared/app/transfers.ts.
 */
import { tables } from '../../infra/tables.ts';
import type { LevelChange, Line } from '../domain/movements.ts';
import type { Transfer, TransferReceipt } from '../schemas/transfers.ts';
import { getInventoryItem } from './catalog.ts';
import { queryAll, tableName } from './client.ts';
import { entities, inventoryKeys } from './keys.ts';
import { type MovementCommand, movementItems } from './stock.ts';
import { labelled, TransactionCancelled, type TransactItem, transactLabelled } from './transact.ts';

const inventory = () => tableName(tables.inventory);

/** A line as stored: a map entry keyed by SKU, so a receipt's update and condition address it by path. */
interface StoredLine {
  sku: string;
  shipped: number;
  received: number;
  open: number;
}

const statusOf = (lines: readonly { received: number; open: number }[]): Transfer['status'] =>
  lines.every((l) => l.open <= 0) ? 'RECEIVED' : lines.some((l) => l.received > 0) ? 'PARTIALLY_RECEIVED' : 'IN_TRANSIT';

/** The transfer as the API shows it, lines in the order they were shipped. */
export const transferView = (item: Record<string, unknown>): Transfer => {
  const stored = item.lines as Record<string, StoredLine>;
  const order = (item.skus as string[] | undefined) ?? Object.keys(stored).sort();
  return {
    movementId: item.movementId as string,
    fromLocationId: item.fromLocationId as string,
    toLocationId: item.toLocationId as string,
    status: item.status as Transfer['status'],
    lines: order.map((sku) => {
      const line = stored[sku]!;
      return { sku, shipped: Number(line.shipped), received: Number(line.received), missing: Number(line.shipped) - Number(line.received) };
    }),
    shippedAt: item.shippedAt as string,
    receipts: (item.receipts as TransferReceipt[] | undefined) ?? [],
    version: Number(item.version),
    updatedAt: item.updatedAt as string,
  };
};

/**
 * The transfer record a shipped TRANSFER writes in its own transaction
 * (label it `transfer`): one line per SKU, nothing received yet.
 */
export const transferPut = (command: MovementCommand, lines: readonly Line[], by: string, now: string): TransactItem => {
  const stored: Record<string, StoredLine> = {};
  for (const line of lines) {
    const seen = stored[line.sku];
    const shipped = (seen?.shipped ?? 0) + line.qty;
    stored[line.sku] = { sku: line.sku, shipped, received: 0, open: shipped };
  }
  return {
    Put: {
      TableName: inventory(),
      Item: {
        ...inventoryKeys.transfer(command.movementId, command.locationId),
        ...inventoryKeys.openTransferTo(command.toLocationId ?? '', command.occurredAt ?? now, command.locationId, command.movementId),
        entity: entities.transfer,
        movementId: command.movementId,
        fromLocationId: command.locationId,
        toLocationId: command.toLocationId,
        status: 'IN_TRANSIT',
        skus: Object.keys(stored),
        lines: stored,
        shippedAt: command.occurredAt ?? now,
        receipts: [],
        version: 1,
        createdAt: now,
        updatedAt: now,
        by,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
};

/** The transfers shipped under this movement id (one per source that used it). */
export const transfersWithId = async (movementId: string): Promise<Transfer[]> =>
  (
    await queryAll({
      TableName: inventory(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': inventoryKeys.transfersOf(movementId) },
      ConsistentRead: true,
    })
  ).map(transferView);

/** Transfers to a location with units still open, oldest first. */
export const openTransfersTo = async (toLocationId: string): Promise<Transfer[]> =>
  (
    await queryAll({
      TableName: inventory(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': inventoryKeys.openTransfersTo(toLocationId) },
    })
  ).map(transferView);

/** One transfer, as it is now. */
export const findTransfer = async (movementId: string, fromLocationId: string): Promise<Transfer | undefined> => {
  const item = await getInventoryItem(inventoryKeys.transfer(movementId, fromLocationId));
  return item ? transferView(item) : undefined;
};

/** The movement a receipt was booked as, with the fingerprint of its request and its answer; undefined if it was not. */
export const bookedReceipt = async (locationId: string, movementId: string): Promise<{ fingerprint: unknown; response?: Transfer } | undefined> => {
  const item = await getInventoryItem(inventoryKeys.movement(locationId, movementId));
  return item ? { fingerprint: item.fingerprint, response: item.response as Transfer | undefined } : undefined;
};

/** What the transfer becomes once a receipt is booked on it. */
export const afterReceipt = (transfer: Transfer, receipt: TransferReceipt, quantities: ReadonlyMap<string, number>, now: string): Transfer => {
  const lines = transfer.lines.map((l) => {
    const received = l.received + (quantities.get(l.sku) ?? 0);
    return { ...l, received, missing: l.shipped - received };
  });
  return {
    ...transfer,
    lines,
    status: statusOf(lines.map((l) => ({ received: l.received, open: l.missing }))),
    receipts: [...transfer.receipts, receipt],
    version: transfer.version + 1,
    updatedAt: now,
  };
};

const transferUpdate = (before: Transfer, after: Transfer, receipt: TransferReceipt, quantities: ReadonlyMap<string, number>): TransactItem => {
  const names: Record<string, string> = {
    '#lines': 'lines',
    '#received': 'received',
    '#open': 'open',
    '#status': 'status',
    '#receipts': 'receipts',
    '#version': 'version',
    '#updatedAt': 'updatedAt',
  };
  const values: Record<string, unknown> = {
    ':status': after.status,
    ':receipt': [receipt],
    ':one': 1,
    ':version': before.version,
    ':now': after.updatedAt,
  };
  const sets: string[] = [];
  // More received than shipped is refused in the write itself, line by line.
  const conditions = ['#version = :version'];
  [...quantities].forEach(([sku, qty], i) => {
    names[`#l${i}`] = sku;
    values[`:q${i}`] = qty;
    sets.push(`#lines.#l${i}.#received = #lines.#l${i}.#received + :q${i}`, `#lines.#l${i}.#open = #lines.#l${i}.#open - :q${i}`);
    conditions.push(`#lines.#l${i}.#open >= :q${i}`);
  });
  return {
    Update: {
      TableName: inventory(),
      Key: inventoryKeys.transfer(before.movementId, before.fromLocationId),
      // Fully received, it leaves the destination's list of open inbound transfers.
      UpdateExpression: `SET ${sets.join(', ')}, #status = :status, #receipts = list_append(#receipts, :receipt), #version = #version + :one, #updatedAt = :now${after.status === 'RECEIVED' ? ' REMOVE gsi1pk, gsi1sk' : ''}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
};

export type ReceiptBooking =
  | { outcome: 'booked' }
  /** The receipt's movement id was booked meanwhile (the same receipt, concurrently). */
  | { outcome: 'receipt-taken' }
  /** Lines with less open than this receipt asks for, as the transfer is now. */
  | { outcome: 'over-received'; lines: { sku: string; requested: number; open: number }[] }
  /** The transfer changed since it was read (another receipt): decide again. */
  | { outcome: 'changed' };

/**
 * Books a receipt in one transaction: the TRANSFER_IN movement (labelled
 * `movement`, `levels`, `ledger`, carrying its own answer so a replay gets
 * it back) and the transfer's update (`transfer`).
 */
export const bookTransferReceipt = async (booking: {
  before: Transfer;
  after: Transfer;
  receipt: TransferReceipt;
  quantities: ReadonlyMap<string, number>;
  movement: MovementCommand;
  changes: readonly LevelChange[];
  products: ReadonlyMap<string, Record<string, unknown>>;
  fingerprint: string;
  by: string;
  /** The reconciliation writes of the receipt's RFID-tagged SKUs (shared/app/reconcile.ts). */
  reconciliation: readonly TransactItem[];
  now: string;
}): Promise<ReceiptBooking> => {
  const stock = movementItems(booking.movement, booking.changes, booking.products, booking.fingerprint, booking.by, booking.now).map((labelledItem) => {
    const put = labelledItem.label === 'movement' ? labelledItem.item.Put : undefined;
    // The answer goes onto the movement record in the same write: a replay can never miss it.
    return put ? { ...labelledItem, item: { Put: { ...put, Item: { ...put.Item, response: booking.after } } } } : labelledItem;
  });
  try {
    await transactLabelled([
      ...stock,
      ...labelled('transfer', [transferUpdate(booking.before, booking.after, booking.receipt, booking.quantities)]),
      ...labelled('reconcile', booking.reconciliation),
    ]);
    return { outcome: 'booked' };
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAtLabel('movement')) return { outcome: 'receipt-taken' };
    if (error.failedAtLabel('reconcile')) return { outcome: 'changed' };
    if (!error.failedAtLabel('transfer')) throw error;
    const now = error.reasonsAt('transfer')[0]?.item;
    const stored = (now?.lines as Record<string, StoredLine> | undefined) ?? {};
    const over = [...booking.quantities]
      .map(([sku, requested]) => ({ sku, requested, open: Number(stored[sku]?.open ?? 0) }))
      .filter((l) => l.open < l.requested);
    return over.length > 0 ? { outcome: 'over-received', lines: over } : { outcome: 'changed' };
  }
};
