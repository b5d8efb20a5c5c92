import type { _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { matchesAnyFilter } from '../../../infra/local/filter-pattern.ts';
import { toLambdaRecord } from '../../../infra/local/stream-poller.ts';
import { streamConsumers } from '../../../infra/streams.ts';

const arn = 'arn:aws:dynamodb:ddblocal:000000000000:table/stockclub-Inventory/stream/2026-11-25T06:24:00.000';
const hold = { pk: { S: 'RESERVATION#r1' }, sk: { S: 'RESERVATION' }, entity: { S: 'RESERVATION' }, status: { S: 'ACTIVE' } };

describe('stream records as Lambda delivers them', () => {
  it("turns DynamoDB Local's TTL deletion into the REMOVE by the DynamoDB service that AWS sends", () => {
    // What DynamoDB Local reports for an item its TTL removed: an event name the SDK does not know.
    const local = {
      eventID: 'e1',
      eventName: 'UNKNOWN_TO_SDK_VERSION',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'ddblocal',
      userIdentity: { Type: 'Service', PrincipalId: 'dynamodb.amazonaws.com' },
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-11-25T06:24:00.000Z'),
        Keys: { pk: hold.pk, sk: hold.sk },
        OldImage: hold,
        SequenceNumber: '000000000000000000007',
        SizeBytes: 60,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    } as unknown as StreamRecord;
    const record = toLambdaRecord(local, arn);
    expect(record).toEqual({
      eventID: 'e1',
      eventName: 'REMOVE',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'eu-west-1',
      eventSourceARN: arn,
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: {
        ApproximateCreationDateTime: 1795587840,
        Keys: { pk: hold.pk, sk: hold.sk },
        OldImage: hold,
        SequenceNumber: '000000000000000000007',
        SizeBytes: 60,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(matchesAnyFilter(record, streamConsumers.expiredHolds.filters)).toBe(true);
  });

  it('gives empty maps back their type, at any depth, so the image unmarshalls as in AWS', () => {
    // What the Streams client returns for a new member: empty maps arrive as `{}`.
    const profile = {
      pk: { S: 'MEMBER#m1' },
      sk: { S: 'PROFILE' },
      spendByMonth: {},
      consent: { M: { email: { M: { granted: { BOOL: true } } }, sms: {} } },
      tags: { L: [{}, { S: 'x' }] },
    };
    const record = toLambdaRecord(
      { eventID: 'e3', eventName: 'INSERT', dynamodb: { Keys: { pk: profile.pk, sk: profile.sk }, NewImage: profile as never } } as StreamRecord,
      arn,
    );
    const image = record.dynamodb!.NewImage!;
    expect(image).toEqual({
      pk: { S: 'MEMBER#m1' },
      sk: { S: 'PROFILE' },
      spendByMonth: { M: {} },
      consent: { M: { email: { M: { granted: { BOOL: true } } }, sms: { M: {} } } },
      tags: { L: [{ M: {} }, { S: 'x' }] },
    });
    expect(unmarshall(image as never)).toEqual({
      pk: 'MEMBER#m1',
      sk: 'PROFILE',
      spendByMonth: {},
      consent: { email: { granted: true }, sms: {} },
      tags: [{}, 'x'],
    });
  });

  it('passes ordinary records through without fields they do not have', () => {
    const insert = {
      eventID: 'e2',
      eventName: 'INSERT',
      dynamodb: {
        ApproximateCreationDateTime: new Date('2026-11-25T06:24:00.000Z'),
        Keys: { pk: hold.pk, sk: hold.sk },
        NewImage: hold,
        SequenceNumber: '8',
        SizeBytes: 60,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    } as StreamRecord;
    const record = toLambdaRecord(insert, arn);
    expect(record.eventName).toBe('INSERT');
    expect(record).not.toHaveProperty('userIdentity');
    expect(record.dynamodb).not.toHaveProperty('OldImage');
    expect(matchesAnyFilter(record, [{ dynamodb: { OldImage: [{ exists: false }] } }])).toBe(true);
  });
});
