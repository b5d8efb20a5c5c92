/**
 * Live stock (docs/live-stock.md): each change of a stock level pushed to
 * its location's live topic, and the bearer tokens the IoT Core custom
 * authorizer checks for the browsers that watch them.
 */
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';
import { wholeLevel } from '../db/level-shards.ts';
import { levelFromImage } from '../db/stock.ts';
import { isLevelChange, type LiveLevelMessage, liveLevelKey } from '../domain/live.ts';
import type { LedgerType } from '../domain/movements.ts';
import { publishLiveLevel } from '../messaging/live-levels.ts';
import type { StockLevel } from '../schemas/stock.ts';

/** The message of a level item as the stream carries it: the level as the API shows it, and what caused it. */
export const liveLevelOf = (item: Record<string, unknown>): LiveLevelMessage<StockLevel> => ({
  ...levelFromImage(item),
  movementType: item.lastMovementType as LedgerType,
  ...(typeof item.lastMovementId === 'string' ? { movementId: item.lastMovementId } : {}),
});

/**
 * The publish still running (or failed) per SKU and location in this
 * invocation. The batch processor starts every record of a batch in stream
 * order before any finishes; a record waits for the one before it of the same
 * level and fails if that one failed, so a newer version never goes out
 * before an older one of its batch, and the retry (from the lowest failed
 * record, see docs/live-stock.md) sends them again in order.
 */
const pending = new Map<string, Promise<void>>();

/**
 * Publishes one level change (a stream record of a level item), once per
 * new version: a MODIFY that leaves the version (a reorder point set by
 * replenishment) is not a change of stock and sends nothing.
 */
export const publishLevelChange = async (oldImage: Record<string, unknown> | undefined, newImage: Record<string, unknown> | undefined): Promise<void> => {
  if (!newImage || !isLevelChange(oldImage, newImage)) return;
  // A hot SKU's level is its item and its shards: the level as it stands is what goes out.
  const level = await wholeLevel(newImage);
  if (!level) return;
  const message = liveLevelOf(level);
  const key = liveLevelKey(message);
  const before = pending.get(key);
  const run = (async () => {
    if (before) await before;
    await publishLiveLevel(message.locationId, message);
  })();
  pending.set(key, run);
  try {
    await run;
  } finally {
    if (pending.get(key) === run) pending.delete(key);
  }
};

// ---- the custom authorizer's token check (AWS)

type KeySet = ReturnType<typeof createRemoteJWKSet>;
let keySet: { issuer: string; keys: KeySet } | undefined;

/** The issuer's signing keys, found as API Gateway's JWT authorizer finds them: OpenID discovery, then its jwks_uri (cached per container). */
const keysOf = async (issuer: string): Promise<KeySet> => {
  if (keySet?.issuer === issuer) return keySet.keys;
  const discovery = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`));
  if (!discovery.ok) throw new Error(`OpenID discovery of ${issuer} answered ${discovery.status}`);
  const { jwks_uri: jwksUri } = (await discovery.json()) as { jwks_uri?: string };
  if (!jwksUri) throw new Error(`OpenID discovery of ${issuer} names no jwks_uri`);
  keySet = { issuer, keys: createRemoteJWKSet(new URL(jwksUri)) };
  return keySet.keys;
};

/**
 * The claims of a bearer token the API would accept (the same checks as
 * API Gateway's JWT authorizer: signature by the issuer's keys, issuer,
 * audience, expiry), or undefined for any token it would refuse.
 */
export const verifyBearerToken = async (
  token: string | undefined,
  now: string,
  trust: { readonly issuer: string; readonly audience: string },
): Promise<JWTPayload | undefined> => {
  if (!token) return undefined;
  try {
    const { payload } = await jwtVerify(token, await keysOf(trust.issuer), {
      issuer: trust.issuer,
      audience: trust.audience,
      requiredClaims: ['exp'],
      currentDate: new Date(now),
    });
    return payload;
  } catch {
    return undefined;
  }
};
