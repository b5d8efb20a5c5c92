/**
 * App push devices: one item per device in the member's partition
 * (`DEVICE#{deviceId}`), a guard per token (`PUSHTOKEN#{deviceId}`) naming
 * the member who holds it, and a count on the profile (`pushDevices`) that
 * the send gate reads as the member's push "address". All three change in
 * one transaction, so they never disagree.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type Device, maxDevicesPerMember } from '../domain/devices.ts';
import { documentClient, queryAll } from './client.ts';
import { entities, memberKeys } from './keys.ts';
import { membersTable } from './members.ts';
import { type LabelledItem, labelled, TransactionCancelled, transactLabelled } from './transact.ts';

export interface StoredDevice extends Device {
  readonly memberId: string;
}

const deviceOf = (item: Record<string, unknown>): StoredDevice => ({
  deviceId: item.deviceId as string,
  memberId: item.memberId as string,
  platform: item.platform as Device['platform'],
  token: item.token as string,
  registeredAt: item.registeredAt as string,
  ...(item.endpointArn ? { endpointArn: item.endpointArn as string } : {}),
});

/** A member's devices, oldest first. */
export const devicesOf = async (memberId: string): Promise<StoredDevice[]> =>
  (
    await queryAll({
      TableName: membersTable(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': memberKeys.partition(memberId), ':prefix': memberKeys.devicesPrefix },
      ConsistentRead: true,
    })
  )
    .map(deviceOf)
    .sort((a, b) => a.registeredAt.localeCompare(b.registeredAt));

/** Who holds a token now, if anyone. */
export const tokenHolder = async (deviceId: string): Promise<string | undefined> =>
  (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.pushToken(deviceId), ConsistentRead: true }))).Item?.memberId as
    | string
    | undefined;

/** The profile's device count and version move with every device added or removed. */
const countChange = (memberId: string, by: 1 | -1, now: string, limit?: number) => ({
  Update: {
    TableName: membersTable(),
    Key: memberKeys.profile(memberId),
    UpdateExpression: 'ADD pushDevices :by, version :one SET updatedAt = :now',
    ConditionExpression: limit === undefined ? 'attribute_exists(pk)' : 'attribute_exists(pk) AND (attribute_not_exists(pushDevices) OR pushDevices < :limit)',
    ExpressionAttributeValues: { ':by': by, ':one': 1, ':now': now, ...(limit === undefined ? {} : { ':limit': limit }) },
  },
});

/** Removing a device from a member: its item, the token's guard (if still theirs) and the count. */
const removalItems = (memberId: string, deviceId: string, now: string): LabelledItem[] => [
  ...labelled('formerDevice', [
    { Delete: { TableName: membersTable(), Key: memberKeys.device(memberId, deviceId), ConditionExpression: 'attribute_exists(pk)' } },
  ]),
  ...labelled('formerCount', [countChange(memberId, -1, now)]),
];

export type AddResult = 'ADDED' | 'ALREADY_THERE' | 'LIMIT' | 'NO_MEMBER' | 'CONTENDED';

/**
 * Adds a device to a member; a token another member holds moves to this
 * one in the same transaction (their device item goes, their count drops).
 * `holder` is who held the token when read: the guard's condition makes
 * sure it still is.
 */
export const addDevice = async (device: StoredDevice, holder: string | undefined, now: string): Promise<AddResult> => {
  const { memberId, deviceId } = device;
  if (holder === memberId) return 'ALREADY_THERE';
  try {
    await transactLabelled([
      ...labelled('guard', [
        {
          Put: {
            TableName: membersTable(),
            Item: { ...memberKeys.pushToken(deviceId), entity: entities.pushToken, memberId, at: now },
            ConditionExpression: holder === undefined ? 'attribute_not_exists(pk)' : 'memberId = :holder',
            ...(holder === undefined ? {} : { ExpressionAttributeValues: { ':holder': holder } }),
          },
        },
      ]),
      ...labelled('device', [
        {
          Put: {
            TableName: membersTable(),
            Item: { ...memberKeys.device(memberId, deviceId), entity: entities.pushDevice, ...device },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]),
      ...labelled('count', [countChange(memberId, 1, now, maxDevicesPerMember)]),
      ...(holder === undefined ? [] : removalItems(holder, deviceId, now)),
    ]);
    return 'ADDED';
  } catch (error) {
    if (!(error instanceof TransactionCancelled)) throw error;
    if (error.failedAtLabel('device')) return 'ALREADY_THERE';
    if (error.failedAtLabel('guard') || error.failedAtLabel('formerDevice')) return 'CONTENDED';
    if (error.failedAtLabel('count')) return (await memberExists(memberId)) ? 'LIMIT' : 'NO_MEMBER';
    throw error;
  }
};

const memberExists = async (memberId: string): Promise<boolean> =>
  (await documentClient.send(new GetCommand({ TableName: membersTable(), Key: memberKeys.profile(memberId), ProjectionExpression: 'pk' }))).Item !== undefined;

/**
 * Removes a member's device and releases its token's guard if the member
 * still holds it. False when the device was not there (already removed).
 */
export const removeDevice = async (memberId: string, deviceId: string, now: string): Promise<boolean> => {
  try {
    await transactLabelled([
      ...removalItems(memberId, deviceId, now),
      ...labelled('guard', [
        {
          Delete: {
            TableName: membersTable(),
            Key: memberKeys.pushToken(deviceId),
            ConditionExpression: 'attribute_not_exists(pk) OR memberId = :member',
            ExpressionAttributeValues: { ':member': memberId },
          },
        },
      ]),
    ]);
    return true;
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedAtLabel('formerDevice')) return false;
    // The token moved to another member in the meantime: their guard stays, our device still goes.
    if (error instanceof TransactionCancelled && error.failedAtLabel('guard')) return removeDeviceOnly(memberId, deviceId, now);
    throw error;
  }
};

const removeDeviceOnly = async (memberId: string, deviceId: string, now: string): Promise<boolean> => {
  try {
    await transactLabelled(removalItems(memberId, deviceId, now));
    return true;
  } catch (error) {
    if (error instanceof TransactionCancelled && error.failedAtLabel('formerDevice')) return false;
    throw error;
  }
};

/** Keeps the SNS endpoint made for a device on its first send (if the device is still there). */
export const setEndpoint = async (memberId: string, deviceId: string, endpointArn: string): Promise<void> => {
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: membersTable(),
        Key: memberKeys.device(memberId, deviceId),
        UpdateExpression: 'SET endpointArn = :arn',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':arn': endpointArn },
      }),
    );
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
  }
};
