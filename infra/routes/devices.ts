/**
 * The routes functions/api/devices.ts handles: a member's app installs for
 * push (docs/messages.md, "Channels"). Members manage their own, admins any
 * member's.
 */
import { Device, DeviceInput, DeviceList, DeviceParams } from '../../shared/schemas/devices.ts';
import { MemberParams } from '../../shared/schemas/members.ts';
import { readMembers, type RouteWithGrants, writeMembers } from './definition.ts';

const ownerOrAdmin = ['admin', 'member'] as const;

export const registerDevice = {
  method: 'POST',
  path: '/members/{memberId}/devices',
  entry: 'functions/api/devices.ts',
  auth: ownerOrAdmin,
  tag: 'members',
  tables: writeMembers,
  summary:
    'Register an app install for push (APNS or FCM token). The same token again answers the same device (200); a token another member held moves to this one; at most 10 devices (409)',
  params: MemberParams,
  body: DeviceInput,
  success: { status: 201, schema: Device, description: 'The new device' },
  alsoSucceeds: { status: 200, schema: Device, description: 'The token was registered to this member already: the device as it is' },
} as const satisfies RouteWithGrants;

export const listDevices = {
  method: 'GET',
  path: '/members/{memberId}/devices',
  entry: 'functions/api/devices.ts',
  auth: ownerOrAdmin,
  tag: 'members',
  tables: readMembers,
  summary: "The member's app installs registered for push (tokens shown by their last characters)",
  params: MemberParams,
  success: { status: 200, schema: DeviceList, description: 'The devices, oldest first' },
} as const satisfies RouteWithGrants;

export const removeDevice = {
  method: 'DELETE',
  path: '/members/{memberId}/devices/{deviceId}',
  entry: 'functions/api/devices.ts',
  auth: ownerOrAdmin,
  tag: 'members',
  tables: writeMembers,
  // It deletes the device's SNS endpoint.
  managesPushDevices: true,
  summary: 'Remove an app install: no more push to it',
  params: DeviceParams,
  success: { status: 200, schema: DeviceList, description: 'The devices left' },
} as const satisfies RouteWithGrants;

/** Every route of the module, for infra/routes.ts; a handler names its own (`routes.name` on the namespace), so a bundle keeps only the routes it serves. */
export const routes = { registerDevice, listDevices, removeDevice };
