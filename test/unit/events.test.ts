import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GateReads } from '../../shared/schemas/rfid.ts';
import { MovementRequest } from '../../shared/schemas/stock.ts';
import { matchesAnyFilter } from '../../infra/local/filter-pattern.ts';
import { streamConsumers } from '../../infra/streams.ts';

const load = (path: string) => JSON.parse(readFileSync(new URL(`../../events/${path}`, import.meta.url), 'utf8'));

describe('sample events stay valid for the handlers they are for', () => {
  it('gate reads', () => expect(GateReads.safeParse(load('iot/gate-reads.json')).success).toBe(true));
  it('a sale through API Gateway', () => {
    expect(MovementRequest.safeParse(JSON.parse(load('api/create-movement-sale.json').body)).success).toBe(true);
  });
  it('a hold removed by TTL passes the expired-holds filter', () => {
    expect(matchesAnyFilter(load('stream/hold-removed-by-ttl.json').Records[0], streamConsumers.expiredHolds.filters)).toBe(true);
  });
});
