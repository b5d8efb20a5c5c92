import * as routes from '../../infra/routes/devices.ts';
import * as devices from '../../shared/app/devices.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import { nowIso } from '../../shared/clock.ts';

export const registerDevice = /* @__PURE__ */ httpHandler(routes.registerDevice, async ({ params, body, principal }) => {
  const { device, created } = await devices.registerDevice(params.memberId, body, principal, nowIso());
  return created ? { body: device } : { status: routes.registerDevice.alsoSucceeds.status, body: device };
});

export const listDevices = /* @__PURE__ */ httpHandler(routes.listDevices, async ({ params, principal }) => ({
  body: await devices.listDevices(params.memberId, principal),
}));

export const removeDevice = /* @__PURE__ */ httpHandler(routes.removeDevice, async ({ params, principal }) => ({
  body: await devices.removeDevice(params.memberId, params.deviceId, principal, nowIso()),
}));
