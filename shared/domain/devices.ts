/**
 * App push devices: the rules, as plain data. A member registers each app
 * install's token with its platform; a token belongs to one member at a
 * time (a phone handed on, or a second account on it, moves the token), a
 * member has at most `maxDevicesPerMember`, and a token the provider calls
 * invalid or expired is removed.
 */

export const platforms = ['APNS', 'FCM'] as const;
export type Platform = (typeof platforms)[number];

/** More installs than this per member are refused (409): phones, tablets, a spare. */
export const maxDevicesPerMember = 10;

export interface Device {
  readonly deviceId: string;
  readonly platform: Platform;
  readonly token: string;
  readonly registeredAt: string;
  /** The SNS platform endpoint, created on the first send (AWS only). */
  readonly endpointArn?: string;
}

/**
 * Provider answers that mean the token will never work again: SNS disables
 * an endpoint when APNs or FCM report the token unregistered or invalid
 * (`EndpointDisabled`), and refuses a malformed token or a deleted endpoint
 * (`InvalidParameter`, `NotFound`). Anything else (throttling, an outage) is
 * a failure of this send, not of the device.
 */
const goneAnswers = new Set([
  'EndpointDisabledException',
  'EndpointDisabled',
  'InvalidParameterException',
  'InvalidParameter',
  'NotFoundException',
  'NotFound',
]);
export const tokenGone = (errorName: string): boolean => goneAnswers.has(errorName);

/** What one push to a member's devices came to: sent to some, or every token gone (skip), or failed. */
export type PushOutcome =
  | { readonly status: 'SENT'; readonly messageIds: readonly string[]; readonly removed: readonly string[] }
  | { readonly status: 'SKIPPED'; readonly reason: 'DEVICE_GONE'; readonly removed: readonly string[] }
  | { readonly status: 'FAILED'; readonly error: string; readonly removed: readonly string[] };

export type DeviceResult = { readonly deviceId: string } & ({ readonly messageId: string } | { readonly gone: string } | { readonly error: string });

/**
 * Sent if any device took it; skipped (`DEVICE_GONE`) when every device's
 * token was gone; failed when some failed for other reasons and none took it.
 */
export const pushOutcome = (results: readonly DeviceResult[]): PushOutcome => {
  const removed = results.flatMap((r) => ('gone' in r ? [r.deviceId] : []));
  const messageIds = results.flatMap((r) => ('messageId' in r ? [r.messageId] : []));
  if (messageIds.length > 0) return { status: 'SENT', messageIds, removed };
  const errors = results.flatMap((r) => ('error' in r ? [r.error] : []));
  if (errors.length > 0) return { status: 'FAILED', error: errors.join('; '), removed };
  return { status: 'SKIPPED', reason: 'DEVICE_GONE', removed };
};
