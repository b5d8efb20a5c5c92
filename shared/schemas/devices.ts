import * as z from 'zod';
import { platforms } from '../domain/devices.ts';
import { Timestamp } from './common.ts';
import { MemberId } from './members.ts';

/** App push devices (functions/api/devices.ts). */
export const Platform = /* @__PURE__ */ z.enum(platforms).meta({ description: 'APNS (iOS, iPadOS, macOS) or FCM (Android, Firebase)' });

// APNs device tokens are 32 bytes in hex today (64 characters); Apple says not to rely on the length.
const apnsToken = /^[0-9a-fA-F]{64,200}$/;
// FCM registration tokens: letters, digits, `_`, `-`, `:`, of some 150-200 characters today.
const fcmToken = /^[A-Za-z0-9_:-]{32,4096}$/;

export const DeviceInput = /* @__PURE__ */ z
  .strictObject({
    platform: Platform,
    token: /* @__PURE__ */ z.string().min(32).max(4096).meta({ description: 'The token APNs or FCM gave the app on this device' }),
  })
  .superRefine((device, context) => {
    const pattern = device.platform === 'APNS' ? apnsToken : fcmToken;
    if (!pattern.test(device.token)) {
      context.addIssue({
        code: 'custom',
        path: ['token'],
        message: device.platform === 'APNS' ? 'an APNs device token: 64 to 200 hex digits' : 'an FCM registration token: letters, digits, _, - and :',
      });
    }
  })
  .meta({
    id: 'DeviceInput',
    examples: [{ platform: 'APNS', token: '740f4707bebcf74f9b7c25d48e3358945f6aa01da5ddb387462c7eaf61bb78ad' }],
  });
export type DeviceInput = z.output<typeof DeviceInput>;

export const DeviceId = /* @__PURE__ */ z
  .string()
  .regex(/^[0-9a-f]{24}$/, '24 hex digits')
  .meta({ description: 'Device id: derived from platform and token, so registering the same token again is the same device' });

export const Device = /* @__PURE__ */ z
  .object({
    deviceId: DeviceId,
    memberId: MemberId,
    platform: Platform,
    tokenEnd: /* @__PURE__ */ z.string().meta({ description: 'The last 6 characters of the token (the token itself is not shown)' }),
    registeredAt: Timestamp,
  })
  .meta({
    id: 'Device',
    examples: [{ deviceId: '3f1c9a0d5e7b2a4c6d8e0f12', memberId: 'm-anna', platform: 'APNS', tokenEnd: 'bb78ad', registeredAt: '2026-12-07T09:30:00.000Z' }],
  });
export type Device = z.output<typeof Device>;

export const DeviceList = /* @__PURE__ */ z.object({ memberId: MemberId, items: /* @__PURE__ */ z.array(Device) }).meta({ id: 'DeviceList' });
export type DeviceList = z.output<typeof DeviceList>;

export const DeviceParams = /* @__PURE__ */ z.object({ memberId: MemberId, deviceId: DeviceId });
