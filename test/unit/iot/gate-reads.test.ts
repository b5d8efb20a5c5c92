import { IoTDataPlaneClient, PublishCommand } from '@aws-sdk/client-iot-data-plane';
import { BatchGetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { gateReads } from '../../../functions/iot/gate-reads.ts';
import { lambdaContext } from '../../../infra/local/gateway.ts';

const iot = mockClient(IoTDataPlaneClient);
const dynamo = mockClient(DynamoDBDocumentClient);
process.env.INVENTORY_TABLE = 'unit-inventory';
process.env.RFID_TABLE = 'unit-rfid';

beforeEach(() => {
  iot.reset();
  iot.on(PublishCommand).resolves({});
  // No product carries the GTINs below: nothing is claimed or booked, which the integration tests cover.
  dynamo.reset();
  dynamo.on(BatchGetCommand).resolves({ Responses: { 'unit-inventory': [] } });
});

const message = {
  // Now: reads far from the server's clock are set aside (clockSkew), not looked up.
  readAt: new Date().toISOString(),
  direction: 'IN',
  reads: [
    { epc: '3074257bf7194e4000001a85', antenna: 1 },
    { epc: '3074257BF7194E4000001A85' },
    { epc: '3074257BF7194E4000001A86', rssi: -61.5 },
    { epc: '31AC16465751CCD0C2000000' },
  ],
  locationId: 'WH-CENTRAL',
  gateId: 'DOCK-1',
};

describe('gateReads', () => {
  it("acknowledges a message on the gate's events topic through the IoT data plane, counting unknown and undecodable tags", async () => {
    const ack = await gateReads(message, lambdaContext('gateReads'));
    const expected = {
      type: 'ACK',
      readAt: message.readAt,
      direction: 'IN',
      received: 4,
      distinctEpcs: 3,
      booked: 0,
      alreadyBooked: 0,
      duplicates: 0,
      notOnBooks: 0,
      unchanged: 0,
      confirmed: 0,
      receivedOnTransfers: 0,
      clockSkew: 0,
      unknownGtins: { count: 1, gtins: ['80614141123458'] },
      undecodable: { count: 1, epcs: ['31AC16465751CCD0C2000000'] },
      alarms: 0,
    };
    expect(ack).toEqual(expected);
    // To the gate on its events topic, then to the location's consoles on its live gates topic, naming the gate.
    expect(iot.commandCalls(PublishCommand).map((c) => c.args[0].input)).toEqual([
      {
        topic: 'stockclub/WH-CENTRAL/gates/DOCK-1/events',
        qos: 1,
        contentType: 'application/json',
        payload: new TextEncoder().encode(JSON.stringify(expected)),
      },
      {
        topic: 'stockclub/live/gates/WH-CENTRAL',
        qos: 1,
        contentType: 'application/json',
        payload: new TextEncoder().encode(JSON.stringify({ ...expected, locationId: 'WH-CENTRAL', gateId: 'DOCK-1' })),
      },
    ]);
    // Both serials are one GTIN, looked up once in each form the catalogue may hold it in.
    expect(dynamo.commandCalls(BatchGetCommand).map((c) => c.args[0].input)).toEqual([
      { RequestItems: { 'unit-inventory': { Keys: [{ pk: 'GTIN#80614141123458', sk: 'GTIN' }], ConsistentRead: true } } },
    ]);
  });

  it('acknowledges a message with malformed EPCs beside good ones: each is counted undecodable, once, upper-cased', async () => {
    const reads = [...message.reads, { epc: 'DEADBEEF' }, { epc: 'deadbeef' }, { epc: '3074257bf7194e4000001a8' }, { epc: 'ZZ' }, { epc: 'F'.repeat(64) }];
    const ack = await gateReads({ ...message, reads }, lambdaContext('gateReads'));
    expect(ack).toMatchObject({
      received: 9,
      distinctEpcs: 7,
      unknownGtins: { count: 1, gtins: ['80614141123458'] },
      undecodable: { count: 5, epcs: ['31AC16465751CCD0C2000000', 'DEADBEEF', '3074257BF7194E4000001A8', 'ZZ', 'F'.repeat(64)] },
    });
    expect(iot.commandCalls(PublishCommand).map((c) => c.args[0].input.topic)).toEqual([
      'stockclub/WH-CENTRAL/gates/DOCK-1/events',
      'stockclub/live/gates/WH-CENTRAL',
    ]);
  });

  it.each([
    ['no reads', { ...message, reads: [] }],
    ['an EPC with characters other than letters and digits', { ...message, reads: [...message.reads, { epc: 'not-an-epc-not-an-epc-xx' }] }],
    ['an empty EPC', { ...message, reads: [...message.reads, { epc: '' }] }],
    ['a direction that does not exist', { ...message, direction: 'SIDEWAYS' }],
    ['no location from the topic', { ...message, locationId: undefined }],
    ['an EPC longer than 256 bits', { ...message, reads: [...message.reads, { epc: 'ab'.repeat(33) }] }],
    ['more than 5000 reads', { ...message, reads: Array.from({ length: 5001 }, () => ({ epc: '3074257bf7194e4000001a85' })) }],
    ['a gate id that is not an identifier', { ...message, gateId: 'DOCK 1' }],
  ])("throws %s back to the rule's error action and publishes nothing", async (_name, broken) => {
    await expect(gateReads(broken, lambdaContext('gateReads'))).rejects.toThrow(/Invalid gate reads message/);
    expect(iot.commandCalls(PublishCommand)).toHaveLength(0);
  });
});
