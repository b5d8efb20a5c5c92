/**
 * App push devices as use-cases: a member registers and removes their own
 * app installs (admin any member's), and a push to a member goes to each of
 * their devices, removing those whose token the provider calls gone.
 */
import { createHash } from 'node:crypto';
import { type DeviceResult, type PushOutcome, pushOutcome } from '../domain/devices.ts';
import { Conflict, NotFound } from '../domain/errors.ts';
import { assertMemberAccess, type Principal } from '../domain/principal.ts';
import { addDevice, devicesOf, removeDevice as removeStoredDevice, type StoredDevice, setEndpoint, tokenHolder } from '../db/devices.ts';
import { readProfile } from '../db/messages.ts';
import { deletePushEndpoint, PushTokenGone, sendPush } from '../messaging/channels.ts';
import type { RenderedPush } from '../messaging/templates.ts';
import { logger } from '../observability.ts';
import type { Device, DeviceInput, DeviceList } from '../schemas/devices.ts';

/** The same token on the same platform is the same device, whoever registers it. */
export const deviceIdOf = (platform: string, token: string): string => createHash('sha256').update(`${platform}:${token}`).digest('hex').slice(0, 24);

const view = (device: StoredDevice): Device => ({
  deviceId: device.deviceId,
  memberId: device.memberId,
  platform: device.platform,
  tokenEnd: device.token.slice(-6),
  registeredAt: device.registeredAt,
});

/**
 * Registers an app install for push. The same token again is the same
 * device (`created: false`); a token another member held moves to this one
 * (a phone handed on), in one transaction. More than `maxDevicesPerMember`
 * is a 409. Consent for push is the member's own (`consent.push`), apart
 * from this.
 */
export const registerDevice = async (
  memberId: string,
  input: DeviceInput,
  principal: Principal,
  now: string,
): Promise<{ device: Device; created: boolean }> => {
  assertMemberAccess(principal, memberId);
  const deviceId = deviceIdOf(input.platform, input.token);
  const device: StoredDevice = { deviceId, memberId, platform: input.platform, token: input.token, registeredAt: now };
  // A token moving between two members at the same moment: read the holder again and retry.
  for (let attempt = 0; attempt < 5; attempt++) {
    const result = await addDevice(device, await tokenHolder(deviceId), now);
    if (result === 'ADDED') return { device: view(device), created: true };
    if (result === 'ALREADY_THERE') {
      const existing = (await devicesOf(memberId)).find((d) => d.deviceId === deviceId);
      if (existing) return { device: view(existing), created: false };
      continue;
    }
    if (result === 'NO_MEMBER') throw new NotFound(`Member ${memberId} not found`);
    if (result === 'LIMIT') throw new Conflict(`Member ${memberId} has the most devices allowed; remove one first`);
  }
  throw new Conflict(`Device ${deviceId} is being registered by another member at the same time; try again`);
};

/** The member's devices (tokens are not shown, only their last characters). */
export const listDevices = async (memberId: string, principal: Principal): Promise<DeviceList> => {
  assertMemberAccess(principal, memberId);
  if (!(await readProfile(memberId))) throw new NotFound(`Member ${memberId} not found`);
  return { memberId, items: (await devicesOf(memberId)).map(view) };
};

/** Removes a device (its SNS endpoint too); answers the devices left. */
export const removeDevice = async (memberId: string, deviceId: string, principal: Principal, now: string): Promise<DeviceList> => {
  assertMemberAccess(principal, memberId);
  const device = (await devicesOf(memberId)).find((d) => d.deviceId === deviceId);
  if (!device || !(await removeStoredDevice(memberId, deviceId, now))) throw new NotFound(`Device ${deviceId} not found`);
  if (device.endpointArn) await deleteEndpointQuietly(device.endpointArn);
  return listDevices(memberId, principal);
};

const deleteEndpointQuietly = async (endpointArn: string) => {
  try {
    await deletePushEndpoint(endpointArn);
  } catch (error) {
    // The device record is gone, so nothing publishes to the endpoint again; an endpoint left behind costs nothing.
    logger.warn('Could not delete an SNS endpoint', { endpointArn, error });
  }
};

/** A push every device of the member refused as gone: the send is recorded SKIPPED (`DEVICE_GONE`), not FAILED. */
export class PushDevicesGone extends Error {
  constructor(readonly removed: readonly string[]) {
    super(`Every device token was invalid or expired; removed ${removed.join(', ') || 'none'}`);
    this.name = 'PushDevicesGone';
  }
}

/**
 * Pushes to every device of a member. A device whose token the provider
 * calls gone is removed (record, token guard, SNS endpoint); a device that
 * had no endpoint yet keeps the one made now. Answers the provider's ids
 * when any device took it; throws `PushDevicesGone` when every token was
 * gone, and an error when none took it for other reasons.
 */
export const pushToMember = async (
  memberId: string,
  push: RenderedPush & { kind: 'marketing' | 'transactional'; context: Record<string, string> },
  now: string,
): Promise<string> => {
  const devices = await devicesOf(memberId);
  const results: DeviceResult[] = await Promise.all(
    devices.map(async (device): Promise<DeviceResult> => {
      try {
        const sent = await sendPush({ ...device, ...push });
        if (sent.endpointArn) await setEndpoint(memberId, device.deviceId, sent.endpointArn);
        return { deviceId: device.deviceId, messageId: sent.messageId };
      } catch (error) {
        if (!(error instanceof PushTokenGone)) return { deviceId: device.deviceId, error: (error as Error).message };
        await removeStoredDevice(memberId, device.deviceId, now);
        if (error.endpointArn) await deleteEndpointQuietly(error.endpointArn);
        logger.info('Removed a push device the provider called gone', { memberId, deviceId: device.deviceId, providerError: error.providerError });
        return { deviceId: device.deviceId, gone: error.providerError };
      }
    }),
  );
  const outcome: PushOutcome = pushOutcome(results);
  if (outcome.status === 'SENT') return outcome.messageIds.join(',');
  if (outcome.status === 'SKIPPED') throw new PushDevicesGone(outcome.removed);
  throw new Error(outcome.error);
};
