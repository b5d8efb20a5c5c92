import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GateReads } from '../../shared/schemas/rfid.ts';
import { MovementRequest } from '../../shared/schemas/stock.ts';
import { matchesAnyFilter } from '../../infra/local/filter-pattern.ts';
import { streamConsumers } from '../../infra/streams.ts';
import { localFunctions } from '../../infra/local/functions.ts';
import { MemberBatch } from '../../functions/queues/member-batches.ts';
import { suppressionOf } from '../../shared/domain/opt-out.ts';

const load = (path: string) => JSON.parse(readFileSync(new URL(`../../events/${path}`, import.meta.url), 'utf8'));

describe('sample events stay valid for the handlers they are for', () => {
  it('gate reads', () => expect(GateReads.safeParse(load('iot/gate-reads.json')).success).toBe(true));
  it('a sale through API Gateway', () => {
    // The sample sends its id as the Idempotency-Key header only; the handler fills the body's movementId from it before the schema runs.
    const event = load('api/create-movement-sale.json');
    expect(MovementRequest.safeParse({ movementId: event.headers['idempotency-key'], ...JSON.parse(event.body) }).success).toBe(true);
  });
  it('a hold removed by TTL passes the expired-holds filter', () => {
    expect(matchesAnyFilter(load('stream/hold-removed-by-ttl.json').Records[0], streamConsumers.expiredHolds.filters)).toBe(true);
  });
  it('a member batch on its queue', () => {
    expect(MemberBatch.safeParse(JSON.parse(load('sqs/member-batch.json').Records[0].body)).success).toBe(true);
  });
  it('an SES bounce through SNS is one the mail-events consumer acts on', () => {
    expect(suppressionOf(JSON.parse(load('sns/ses-bounce.json').Records[0].Sns.Message))).toBe('BOUNCED');
  });
});

describe('one sample event per trigger kind', () => {
  it('covers every trigger of the functions the stack deploys', () => {
    const folders = readdirSync(new URL('../../events/', import.meta.url));
    const triggers = new Set([...localFunctions().values()].map((fn) => fn.trigger));
    expect(folders.sort()).toEqual([...triggers].sort());
  });
});
