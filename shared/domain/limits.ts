/**
 * DynamoDB's per-call limits. Here, not in shared/db, because the pure
 * domain plans writes to fit them too.
 */

/** Items in one TransactWriteItems call. */
export const transactionItemLimit = 100;

/** Keys in one BatchGetItem call. */
export const batchGetKeyLimit = 100;

/** Puts in one BatchWriteItem call. */
export const batchWriteItemLimit = 25;
