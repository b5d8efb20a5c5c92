import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailureLog } from '../../infra/local/failure-log.ts';
import type { StreamPoller } from '../../infra/local/stream-poller.ts';
import { tables } from '../../infra/tables.ts';
import { checkReorder, countDemand, demandWindowDays } from '../../shared/app/replenishment.ts';
import { documentClient, tableName } from '../../shared/db/client.ts';
import { salesKeys } from '../../shared/db/keys.ts';
import { demandHistory, recordDemand, recordMemberDemand } from '../../shared/db/replenishment.ts';
import { dayOf } from '../../shared/domain/time.ts';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';
import { startStreams, untilStreamsSettle } from '../support/streams.ts';

/**
 * Member demand from any segment (issue 15, part 5): a member sale counts its
 * units by tier, by each of the member's tags and by each demand segment of
 * the programme the member is in, through the real demand stream consumer,
 * and a growing tag raises the forecast and is named in the suggestion.
 */
let api: Api;
let poller: StreamPoller;
let admin: string;
let till: string;
let programBefore: Record<string, unknown> | undefined;
const failures = new FailureLog();
const store = uniqueId('SG');
const dayMs = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * dayMs).toISOString();
// A demand segment of the programme only this test's club members are in.
const clubTag = uniqueId('formula-club');
const segmentId = uniqueId('formula-families');

const waitFor = <T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> => untilStreamsSettle(poller, read, done, what);

const register = async (tags: string[]) => {
  const answer = await api.call('POST', '/members', {
    token: till,
    headers: { 'idempotency-key': uniqueId('reg') },
    body: { name: 'Parent', email: `${uniqueId('mail')}@example.com` },
  });
  expect(answer.status).toBe(201);
  const memberId = answer.body.memberId as string;
  if (tags.length > 0) expect((await api.call('PUT', `/members/${memberId}/tags`, { token: admin, body: { tags } })).status).toBe(200);
  return memberId;
};

/** Replaces the programme's demand segments (If-Match, retried if another test changed the programme meanwhile). */
const setDemandSegments = async (change: (current: Record<string, unknown>) => Record<string, unknown>) => {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { version, ...current } = (await api.call('GET', '/program', { token: admin })).body;
    const answer = await api.call('PUT', '/program', { token: admin, headers: { 'if-match': `"${version}"` }, body: change(current) });
    if (answer.status === 200) return current;
    expect(answer.status).toBe(412);
  }
  throw new Error('the programme kept changing');
};

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  till = await token({ role: 'store', locations: [store] });
  expect((await api.call('POST', '/locations', { token: admin, body: { locationId: store, name: store, type: 'STORE', timeZone: 'UTC' } })).status).toBe(201);
  programBefore = await setDemandSegments((current) => ({
    ...current,
    demandSegments: [...((current.demandSegments as unknown[] | undefined) ?? []), { segmentId, name: 'Formula club families', segment: { tags: [clubTag] } }],
  }));
  poller = await startStreams(['demand', 'reorderCheck'], failures);
});

afterAll(async () => {
  await poller?.stop();
  // Leave the programme's demand segments as they were (others' changes meanwhile kept).
  if (programBefore)
    await setDemandSegments((current) => ({
      ...current,
      demandSegments: ((current.demandSegments as { segmentId: string }[] | undefined) ?? []).filter((d) => d.segmentId !== segmentId),
    }));
  await api.close();
});

describe('member demand from tags and demand segments', () => {
  it('counts member sales under their tags and segments once, and a growing tag raises the forecast, named in the reason', async () => {
    const sku = uniqueId('formula');
    expect(
      (
        await api.call('POST', '/products', {
          token: admin,
          body: { sku, name: 'Infant formula', unitCost: 500, price: 1000, currency: 'EUR', supplierId: 'SUP-1', leadTimeDays: 7, serviceLevel: 0.95 },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await api.call('POST', '/movements', {
          token: admin,
          body: { movementId: uniqueId('rc'), type: 'RECEIPT', locationId: store, lines: [{ sku, qty: 12 }] },
        })
      ).status,
    ).toBe(201);

    // History: one unit a day for the rest of the 56 days; in the four weeks before the recent four, young-parent
    // members bought 3 units and other REGULAR members 7.
    for (let day = 1; day < demandWindowDays; day++) {
      await recordDemand({ sku, locationId: store, movementId: uniqueId('hist'), onHandDelta: -1, at: daysAgo(day) });
    }
    for (const [day, qty, groups] of [
      [30, 1, ['tag:young-parents']],
      [40, 2, ['tag:young-parents']],
      [45, 7, []],
    ] as const) {
      await recordMemberDemand({ saleId: uniqueId('old'), locationId: store, at: daysAgo(day), tier: 'REGULAR', groups, lines: [{ sku, qty }] });
    }

    // Now: young parents buy 9 (one of them in the formula club), an untagged member 1. REGULAR as a whole does not grow (10 -> 10).
    const [parentInClub, parent, other] = [await register(['young-parents', clubTag]), await register(['young-parents']), await register([])];
    const saleIds: string[] = [];
    for (const [memberId, qty] of [
      [parentInClub, 3],
      [parent, 4],
      [parentInClub, 2],
      [other, 1],
    ] as const) {
      const saleId = uniqueId('sale');
      saleIds.push(saleId);
      const sale = await api.call('POST', '/sales', { token: till, body: { saleId, locationId: store, memberId, lines: [{ sku, qty, unitPrice: 1000 }] } });
      expect(sale.status).toBe(201);
      expect(sale.body.member.tier).toBe('REGULAR');
    }

    const today = dayOf(new Date().toISOString());
    const [bucket] = await waitFor(
      () => demandHistory(sku, store, today, today),
      (days) => days[0]?.units === 10 && days[0]?.segments.REGULAR === 10,
      'the member sales to be counted',
    );
    expect(bucket!.segments).toEqual({ REGULAR: 10, 'tag:young-parents': 9, [`tag:${clubTag}`]: 5, [`segment:${segmentId}`]: 5 });

    // A redelivered sale record counts nothing again, under any key.
    const image = (await documentClient.send(new GetCommand({ TableName: tableName(tables.inventory), Key: salesKeys.sale(saleIds[0]!) }))).Item!;
    await countDemand(image);
    expect((await demandHistory(sku, store, today, today))[0]!.segments).toEqual(bucket!.segments);

    // 12 received, 10 sold: below the reorder point. The check after the demand is counted has the uplift.
    const check = await checkReorder(sku, store);
    const suggestion = check!.suggestion!;
    expect(suggestion).toMatchObject({ sku, locationId: store, kind: 'PURCHASE', status: 'OPEN' });
    expect(suggestion.reason).toContain('member demand from tag:young-parents growing 200 % (3 -> 9 units in 28 days): forecast +');
    // 55 history units + 10 sold over 56 days, raised by the tag's growth: 9 x 2 / (27 + 10) recent units, capped at +50 %.
    const base = 65 / demandWindowDays;
    const uplift = Math.min(0.5, (9 * 2) / 37);
    expect(suggestion.inputs.meanDailyDemand).toBeCloseTo(base * (1 + uplift), 2);
    expect(suggestion.inputs.meanDailyDemand).toBeGreaterThan(base);

    const listed = await api.call('GET', `/replenishment/suggestions?locationId=${store}&sku=${sku}`, { token: admin });
    expect(listed.body.items[0].reason).toContain('tag:young-parents');
    expect(failures.list('stream')).toEqual([]);
  });
});
