import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startApi, token, uniqueId } from '../support/local-api.ts';

let api: Api;
let admin: string;
const warehouse = uniqueId('W');
const storeA = uniqueId('SA');
const storeB = uniqueId('SB');

const createProduct = async (sku: string, extra: Record<string, unknown> = {}) => {
  const answer = await api.call('POST', '/products', {
    token: admin,
    body: { sku, name: `Product ${sku}`, unitCost: 250, price: 499, currency: 'EUR', ...extra },
  });
  expect(answer.status).toBe(201);
};

const move = (body: Record<string, unknown>, as = admin, headers: Record<string, string> = {}) =>
  api.call('POST', '/movements', { token: as, body: { movementId: uniqueId('m'), ...body }, headers });

const receive = async (sku: string, locationId: string, qty: number) => {
  const answer = await move({ type: 'RECEIPT', locationId, lines: [{ sku, qty }] });
  expect(answer.status).toBe(201);
};

const levelOf = async (sku: string, locationId: string) => {
  const answer = await api.call('GET', `/stock/${sku}`, { token: admin });
  expect(answer.status).toBe(200);
  return answer.body.levels.find((l: { locationId: string }) => l.locationId === locationId);
};

/** Every ledger entry of a SKU at a location, following cursors. */
const ledgerOf = async (sku: string, locationId: string) => {
  const entries: { type: string; onHandDelta: number; reservedDelta: number }[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ sku, locationId, limit: '100', ...(cursor ? { cursor } : {}) });
    const answer = await api.call('GET', `/movements?${query}`, { token: admin });
    expect(answer.status).toBe(200);
    entries.push(...answer.body.items);
    cursor = answer.body.cursor;
  } while (cursor);
  return entries;
};

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  api = await startApi();
  admin = await token({ role: 'admin' });
  for (const [locationId, type] of [
    [warehouse, 'WAREHOUSE'],
    [storeA, 'STORE'],
    [storeB, 'STORE'],
  ]) {
    const answer = await api.call('POST', '/locations', {
      token: admin,
      body: { locationId, name: `Location ${locationId}`, type, timeZone: 'Europe/Berlin' },
    });
    expect(answer.status).toBe(201);
  }
});

afterAll(async () => {
  await api.close();
});

describe('no oversell', () => {
  it('sells exactly the 50 units that exist to 300 concurrent buyers', async () => {
    const sku = uniqueId('hot');
    await createProduct(sku);
    await receive(sku, storeA, 50);

    const answers = await Promise.all(Array.from({ length: 300 }, () => move({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 1 }] })));

    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 409)).toHaveLength(250);
    const refused = answers.find((a) => a.status === 409);
    expect(refused?.headers.get('content-type')).toBe('application/problem+json');
    expect(refused?.body.type).toBe('/problems/out-of-stock');
    expect(refused?.body.shortages).toEqual([{ sku, locationId: storeA, requested: 1, available: 0 }]);

    const level = await levelOf(sku, storeA);
    expect(level).toMatchObject({ onHand: 0, reserved: 0, available: 0 });
    const ledger = await ledgerOf(sku, storeA);
    expect(ledger.filter((e) => e.type === 'SALE')).toHaveLength(50);
    expect(sum(ledger.map((e) => e.onHandDelta))).toBe(level.onHand);
  });

  it('checks lines naming the same SKU against their total, all or nothing', async () => {
    const sku = uniqueId('bundle');
    await createProduct(sku);
    await receive(sku, storeA, 5);

    const short = await move({
      type: 'SALE',
      locationId: storeA,
      lines: [
        { sku, qty: 3 },
        { sku, qty: 3 },
      ],
    });
    expect(short.status).toBe(409);
    expect(short.body.shortages).toEqual([{ sku, locationId: storeA, requested: 6, available: 5 }]);
    expect((await levelOf(sku, storeA)).onHand).toBe(5);

    const fits = await move({
      type: 'SALE',
      locationId: storeA,
      lines: [
        { sku, qty: 2 },
        { sku, qty: 3 },
      ],
    });
    expect(fits.status).toBe(201);
    expect(fits.body.levels).toEqual([expect.objectContaining({ sku, onHand: 0, available: 0 })]);
  });

  it('leaves both locations untouched when the source of a transfer is short', async () => {
    const [plenty, scarce] = [uniqueId('tp'), uniqueId('ts')];
    await createProduct(plenty);
    await createProduct(scarce);
    await receive(plenty, warehouse, 10);
    await receive(scarce, warehouse, 2);
    await receive(scarce, storeB, 1);

    const answer = await move({
      type: 'TRANSFER',
      locationId: warehouse,
      toLocationId: storeB,
      lines: [
        { sku: plenty, qty: 4 },
        { sku: scarce, qty: 5 },
      ],
    });
    expect(answer.status).toBe(409);
    expect(answer.body.shortages).toEqual([{ sku: scarce, locationId: warehouse, requested: 5, available: 2 }]);

    expect((await levelOf(plenty, warehouse)).onHand).toBe(10);
    expect(await levelOf(plenty, storeB)).toBeUndefined();
    expect((await levelOf(scarce, warehouse)).onHand).toBe(2);
    expect((await levelOf(scarce, storeB)).onHand).toBe(1);
    expect(await ledgerOf(plenty, storeB)).toEqual([]);
  });
});

describe('movement types', () => {
  it('books a transfer as TRANSFER_OUT and TRANSFER_IN', async () => {
    const sku = uniqueId('tr');
    await createProduct(sku);
    await receive(sku, warehouse, 8);
    const answer = await move({ type: 'TRANSFER', locationId: warehouse, toLocationId: storeA, lines: [{ sku, qty: 3 }] });
    expect(answer.status).toBe(201);
    expect((await levelOf(sku, warehouse)).onHand).toBe(5);
    expect((await levelOf(sku, storeA)).onHand).toBe(3);
    expect((await ledgerOf(sku, warehouse)).map((e) => e.type)).toEqual(['RECEIPT', 'TRANSFER_OUT']);
    expect((await ledgerOf(sku, storeA)).map((e) => e.type)).toEqual(['TRANSFER_IN']);
  });

  it('sets onHand from a cycle count and records the variance', async () => {
    const sku = uniqueId('cc');
    await createProduct(sku);
    await receive(sku, storeA, 20);
    const answer = await move({ type: 'COUNT', locationId: storeA, lines: [{ sku, qty: 17 }] });
    expect(answer.status).toBe(201);
    expect(answer.body.levels[0]).toMatchObject({ onHand: 17, available: 17 });
    const count = (await ledgerOf(sku, storeA)).find((e) => e.type === 'COUNT');
    expect(count).toMatchObject({ onHandDelta: -3, counted: 17 });
  });

  it('adjusts with a reason: loss lowers, found raises', async () => {
    const sku = uniqueId('adj');
    await createProduct(sku);
    await receive(sku, storeA, 4);
    expect((await move({ type: 'ADJUSTMENT', reason: 'DAMAGED', locationId: storeA, lines: [{ sku, qty: 1 }] })).status).toBe(201);
    expect((await move({ type: 'ADJUSTMENT', reason: 'FOUND', locationId: storeA, lines: [{ sku, qty: 2 }] })).status).toBe(201);
    expect((await levelOf(sku, storeA)).onHand).toBe(5);
    const noReason = await move({ type: 'ADJUSTMENT', locationId: storeA, lines: [{ sku, qty: 1 }] });
    expect(noReason.status).toBe(400);
  });

  it('holds stock with RESERVE and gives it back with RELEASE, once', async () => {
    const sku = uniqueId('hold');
    await createProduct(sku);
    await receive(sku, storeA, 5);
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const hold = await move({ type: 'RESERVE', locationId: storeA, expiresAt, lines: [{ sku, qty: 4 }] });
    expect(hold.status).toBe(201);
    expect(hold.body.levels[0]).toMatchObject({ onHand: 5, reserved: 4, available: 1 });
    expect(hold.body.reservation).toMatchObject({ reservationId: hold.body.movementId, status: 'ACTIVE', expiresAt });

    const sale = await move({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 2 }] });
    expect(sale.status).toBe(409);
    expect(sale.body.shortages[0].available).toBe(1);

    const release = await move({ type: 'RELEASE', locationId: storeA, reservationId: hold.body.movementId });
    expect(release.status).toBe(201);
    expect(release.body.levels[0]).toMatchObject({ onHand: 5, reserved: 0, available: 5 });
    const again = await move({ type: 'RELEASE', locationId: storeA, reservationId: hold.body.movementId });
    expect(again.status).toBe(409);
    expect((await levelOf(sku, storeA)).reserved).toBe(0);
  });

  it("lists a location's stock, filtered to what is at or below reorder point", async () => {
    const location = uniqueId('RP');
    await api.call('POST', '/locations', { token: admin, body: { locationId: location, name: 'Reorder test', type: 'STORE', timeZone: 'UTC' } });
    const [low, fine] = [uniqueId('low'), uniqueId('fine')];
    await createProduct(low, { reorder: { min: 10, max: 40 } });
    await createProduct(fine, { reorder: { min: 2, max: 10 } });
    await receive(low, location, 12);
    await receive(fine, location, 12);
    expect((await move({ type: 'SALE', locationId: location, lines: [{ sku: low, qty: 3 }] })).status).toBe(201);

    const all = await api.call('GET', `/locations/${location}/stock`, { token: admin });
    expect(all.body.items.map((l: { sku: string }) => l.sku).sort()).toEqual([low, fine].sort());
    const below = await api.call('GET', `/locations/${location}/stock?belowReorderPoint=true`, { token: admin });
    expect(below.body.items).toEqual([expect.objectContaining({ sku: low, available: 9, reorderPoint: 10 })]);
  });

  it("pages a location's stock with cursors and refuses a cursor from another list with 400", async () => {
    const location = uniqueId('PG');
    await api.call('POST', '/locations', { token: admin, body: { locationId: location, name: 'Paging test', type: 'STORE', timeZone: 'UTC' } });
    const skus = [uniqueId('p1'), uniqueId('p2'), uniqueId('p3')];
    for (const sku of skus) {
      await createProduct(sku);
      await receive(sku, location, 1);
    }
    const first = await api.call('GET', `/locations/${location}/stock?limit=2`, { token: admin });
    expect(first.body.items).toHaveLength(2);
    const second = await api.call('GET', `/locations/${location}/stock?limit=2&cursor=${first.body.cursor}`, { token: admin });
    expect([...first.body.items, ...second.body.items].map((l: { sku: string }) => l.sku).sort()).toEqual([...skus].sort());

    const elsewhere = await api.call('GET', `/locations/${storeA}/stock?cursor=${first.body.cursor}`, { token: admin });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
    const empty = Buffer.from('{}').toString('base64url');
    expect((await api.call('GET', `/locations/${location}/stock?cursor=${empty}`, { token: admin })).status).toBe(400);
  });
});

describe('idempotency', () => {
  it('answers 200 recorded requests replayed a second time with the first answers and changes nothing', async () => {
    const skus = [uniqueId('r1'), uniqueId('r2'), uniqueId('r3')];
    for (const sku of skus) {
      await createProduct(sku);
      await receive(sku, warehouse, 100);
      await receive(sku, storeA, 100);
    }
    const recorded: { body: Record<string, unknown>; first: { status: number; body: unknown } }[] = [];
    const kinds = [
      (sku: string) => ({ type: 'RECEIPT', locationId: warehouse, lines: [{ sku, qty: 5 }] }),
      (sku: string) => ({ type: 'TRANSFER', locationId: warehouse, toLocationId: storeA, lines: [{ sku, qty: 2 }] }),
      (sku: string) => ({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 1 }] }),
      (sku: string) => ({ type: 'RETURN', locationId: storeA, lines: [{ sku, qty: 1 }] }),
      (sku: string) => ({ type: 'ADJUSTMENT', reason: 'LOST', locationId: warehouse, lines: [{ sku, qty: 1 }] }),
      (sku: string) => ({ type: 'RESERVE', locationId: warehouse, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), lines: [{ sku, qty: 1 }] }),
      // More than will ever be there: refused the first time and again on replay.
      (sku: string) => ({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 5_000 }] }),
    ];
    for (let i = 0; i < 200; i++) {
      const body = { movementId: uniqueId(`rec${i}`), ...kinds[i % kinds.length]!(skus[i % skus.length]!) };
      const first = await api.call('POST', '/movements', { token: admin, body });
      recorded.push({ body, first: { status: first.status, body: first.body } });
    }
    expect(recorded.filter((r) => r.first.status === 201)).toHaveLength(172);
    expect(recorded.filter((r) => r.first.status === 409)).toHaveLength(28);

    const before = await Promise.all(skus.flatMap((sku) => [warehouse, storeA].map((loc) => levelOf(sku, loc))));
    const ledgerBefore = await Promise.all(skus.flatMap((sku) => [warehouse, storeA].map((loc) => ledgerOf(sku, loc))));

    const replays = await Promise.all(recorded.map((r) => api.call('POST', '/movements', { token: admin, body: r.body })));
    replays.forEach((replay, i) => {
      const { first } = recorded[i]!;
      if (first.status === 201) {
        expect(replay.status).toBe(201);
        expect(replay.body).toEqual(first.body);
        expect(replay.headers.get('idempotent-replayed')).toBe('true');
      } else {
        // A refused request wrote nothing, so its id is still free and it is tried again: still too big.
        expect(replay.status).toBe(409);
        expect(replay.headers.get('idempotent-replayed')).toBeNull();
      }
    });

    expect(await Promise.all(skus.flatMap((sku) => [warehouse, storeA].map((loc) => levelOf(sku, loc))))).toEqual(before);
    expect(await Promise.all(skus.flatMap((sku) => [warehouse, storeA].map((loc) => ledgerOf(sku, loc))))).toEqual(ledgerBefore);
  });

  it('takes the key from the Idempotency-Key header and refuses the same key with another body', async () => {
    const sku = uniqueId('key');
    await createProduct(sku);
    const key = uniqueId('idem');
    const body = { type: 'RECEIPT', locationId: storeA, lines: [{ sku, qty: 3 }] };
    const first = await api.call('POST', '/movements', { token: admin, body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(first.body.movementId).toBe(key);
    const changed = await api.call('POST', '/movements', {
      token: admin,
      body: { ...body, lines: [{ sku, qty: 4 }] },
      headers: { 'idempotency-key': key },
    });
    expect(changed.status).toBe(422);
    expect(changed.body.type).toBe('/problems/idempotency-key-reused');
    expect((await levelOf(sku, storeA)).onHand).toBe(3);
  });
});

describe('bad input writes nothing', () => {
  it.each([
    ['malformed JSON', { rawBody: '{"type": "RECEIPT", "lines": [' }, 400],
    ['negative quantity', { body: { type: 'RECEIPT', lines: [{ sku: 'SKU', qty: -1 }] } }, 400],
    ['fractional quantity', { body: { type: 'RECEIPT', lines: [{ sku: 'SKU', qty: 1.5 }] } }, 400],
    ['unknown movement type', { body: { type: 'TELEPORT', lines: [{ sku: 'SKU', qty: 1 }] } }, 400],
    ['unknown SKU', { body: { type: 'RECEIPT', lines: [{ sku: 'no-such-sku', qty: 1 }] } }, 422],
    ['unknown location', { body: { type: 'RECEIPT', locationId: 'no-such-location', lines: [{ sku: 'SKU', qty: 1 }] } }, 422],
    ['more than 100 lines', { body: { type: 'RECEIPT', lines: Array.from({ length: 101 }, () => ({ sku: 'SKU', qty: 1 })) } }, 400],
    [
      'a transfer too big for one transaction',
      {
        body: { type: 'TRANSFER', toLocationId: 'TO', lines: Array.from({ length: 50 }, (_, i) => ({ sku: `SKU-${i}`, qty: 1 })) },
      },
      400,
    ],
  ] as const)('%s', async (_name, request, status) => {
    const sku = uniqueId('bad');
    await createProduct(sku);
    await receive(sku, storeA, 7);
    const movementId = uniqueId('bad-move');
    const fill = (body: Record<string, unknown>) =>
      JSON.parse(
        JSON.stringify({ movementId, locationId: storeA, ...body })
          .replaceAll('"SKU', `"${sku}`)
          .replaceAll('"TO"', `"${storeB}"`),
      );
    const answer = await api.call('POST', '/movements', {
      token: admin,
      ...('rawBody' in request ? { rawBody: request.rawBody } : { body: fill(request.body) }),
    });
    expect(answer.status).toBe(status);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ status, type: expect.stringMatching(/^\/problems\//), title: expect.any(String) });

    expect((await levelOf(sku, storeA)).onHand).toBe(7);
    expect(await ledgerOf(sku, storeA)).toHaveLength(1);
    // The id is still free: the refused request left no movement behind.
    const retry = await move({ movementId, type: 'SALE', locationId: storeA, lines: [{ sku, qty: 1 }] });
    expect(retry.status).toBe(201);
  });
});

describe('roles', () => {
  it('lets store staff move stock at their own locations only, and members not at all', async () => {
    const sku = uniqueId('role');
    await createProduct(sku);
    await receive(sku, storeA, 3);
    const staffA = await token({ role: 'store', locations: [storeA] });
    const member = await token({ role: 'member', memberId: uniqueId('M') });

    expect((await move({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 1 }] }, staffA)).status).toBe(201);
    const elsewhere = await move({ type: 'RECEIPT', locationId: storeB, lines: [{ sku, qty: 1 }] }, staffA);
    expect(elsewhere.status).toBe(403);
    expect((await move({ type: 'SALE', locationId: storeA, lines: [{ sku, qty: 1 }] }, member)).status).toBe(403);
    expect((await api.call('GET', `/locations/${storeB}/stock`, { token: staffA })).status).toBe(403);

    const seen = await api.call('GET', `/stock/${sku}`, { token: staffA });
    expect(seen.body.levels.map((l: { locationId: string }) => l.locationId)).toEqual([storeA]);
    expect((await levelOf(sku, storeA)).onHand).toBe(2);
    expect(await levelOf(sku, storeB)).toBeUndefined();
  });
});

describe('catalogue', () => {
  it('updates a product only with the current version in If-Match', async () => {
    const sku = uniqueId('etag');
    await createProduct(sku, { gtin: '4006381333986', memberExclusive: { minTier: 'GOLD', perMemberLimit: 1 } });
    const read = await api.call('GET', `/products/${sku}`, { token: admin });
    expect(read.headers.get('etag')).toBe('"1"');
    const updated = await api.call('PATCH', `/products/${sku}`, { token: admin, body: { price: 599 }, headers: { 'if-match': '"1"' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ price: 599, version: 2, gtin: '4006381333986', memberExclusive: { minTier: 'GOLD', perMemberLimit: 1 } });
    const stale = await api.call('PATCH', `/products/${sku}`, { token: admin, body: { price: 699 }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    const missing = await api.call('PATCH', `/products/${sku}`, { token: admin, body: { price: 699 } });
    expect(missing.status).toBe(428);
    expect((await api.call('GET', `/products/${sku}`, { token: admin })).body.price).toBe(599);
  });

  it('answers a retried create with the first answer (201, marked as a replay) and a different body with 409', async () => {
    const sku = uniqueId('dup');
    const body = { sku, name: 'Dup', unitCost: 1, price: 2, currency: 'EUR' };
    const first = await api.call('POST', '/products', { token: admin, body });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await api.call('POST', '/products', { token: admin, body });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const location = { locationId: uniqueId('DUP'), name: 'Dup store', type: 'STORE', timeZone: 'UTC' };
    expect((await api.call('POST', '/locations', { token: admin, body: location })).status).toBe(201);
    const locationAgain = await api.call('POST', '/locations', { token: admin, body: location });
    expect(locationAgain.status).toBe(201);
    expect(locationAgain.headers.get('idempotent-replayed')).toBe('true');
    expect((await api.call('POST', '/products', { token: admin, body: { ...body, price: 3 } })).status).toBe(409);
  });
});
