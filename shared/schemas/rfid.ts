import * as z from 'zod';
import { LocationId, Timestamp } from './common.ts';

export const GateId = /* @__PURE__ */ LocationId.meta({ description: 'Gate id, unique within its location' });

/** EPCs are 96 to 256 bits, sent as hex: at most 64 digits. */
const maxEpcDigits = 64;

export const Epc = /* @__PURE__ */ z
  .string()
  .regex(/* @__PURE__ */ new RegExp(`^(?:[0-9A-Fa-f]{2}){12,${maxEpcDigits / 2}}$`), 'hex EPC of 96 to 256 bits')
  .transform((epc) => epc.toUpperCase());

/**
 * An EPC as a gate reports it. Whether it decodes is decided per read at
 * ingest (an undecodable one is counted in the ACK and the rest booked), so
 * here only what the ACK may echo back is bounded: letters and digits, as
 * many as the longest EPC has.
 */
export const GateEpc = /* @__PURE__ */ z
  .string()
  .regex(/* @__PURE__ */ new RegExp(`^[0-9A-Za-z]{1,${maxEpcDigits}}$`), `1 to ${maxEpcDigits} letters or digits`)
  .transform((epc) => epc.toUpperCase());

export const TagRead = /* @__PURE__ */ z.strictObject({
  epc: GateEpc,
  antenna: /* @__PURE__ */ z.int().min(0).max(64).optional(),
  rssi: /* @__PURE__ */ z.number().min(-150).max(50).optional(),
  at: /* @__PURE__ */ Timestamp.optional(),
});

/**
 * What a gateway publishes on `stockclub/{locationId}/gates/{gateId}/reads`,
 * as the topic rule delivers it: only readAt, direction and reads of the
 * payload, plus locationId and gateId from the topic (never the payload's:
 * infra/topics.ts). IoT Core caps a message at 128 KB, which bounds `reads`.
 * Read times are checked against the server's clock at ingest, not here: an
 * implausible time sets that read aside, not the whole message.
 */
export const GateReads = /* @__PURE__ */ z.strictObject({
  readAt: Timestamp,
  direction: /* @__PURE__ */ z.enum(['IN', 'OUT']),
  reads: /* @__PURE__ */ z.array(TagRead).min(1).max(5000),
  locationId: LocationId,
  gateId: GateId,
});
export type GateReads = z.output<typeof GateReads>;
