/**
 * Demo data for `npm start`: a warehouse, two stores, a handful of products
 * with barcodes, and stock booked as real movements through the API, so the
 * ledger explains every level. Fixed ids make it safe to run again on a
 * persisted `--data` directory: what already exists is left as it is (an
 * admin may have edited it since), movements and sales are idempotent.
 */
import { signLocalToken } from './auth.ts';
import { connectGate, publishMessages, tagEpcs } from './gate-simulator.ts';

export const demoLocations = [
  { locationId: 'WH-CENTRAL', name: 'Central warehouse', type: 'WAREHOUSE', timeZone: 'Europe/Berlin' },
  { locationId: 'STORE-BERLIN', name: 'Berlin Mitte', type: 'STORE', timeZone: 'Europe/Berlin' },
  { locationId: 'STORE-MUNICH', name: 'München Marienplatz', type: 'STORE', timeZone: 'Europe/Berlin' },
] as const;

export const demoProducts = [
  {
    sku: 'TEE-BLK-M',
    name: 'Organic T-shirt black M',
    gtin: '4006381333931',
    unitCost: 450,
    price: 1999,
    currency: 'EUR',
    packSize: 10,
    leadTimeDays: 7,
    orderingCost: 5000,
    holdingCostPerUnitYear: 100,
    serviceLevel: 0.95,
    reorder: { min: 12, max: 60 },
  },
  {
    sku: 'JEANS-32',
    name: 'Slim jeans 32/32',
    gtin: '4006381333948',
    unitCost: 1800,
    price: 7999,
    currency: 'EUR',
    packSize: 6,
    leadTimeDays: 14,
    orderingCost: 5000,
    holdingCostPerUnitYear: 400,
  },
  {
    sku: 'SNEAKER-42',
    name: 'Runner sneaker 42',
    gtin: '4006381333955',
    unitCost: 3500,
    price: 11999,
    currency: 'EUR',
    packSize: 4,
    leadTimeDays: 21,
    reorder: { min: 4, max: 16 },
  },
  { sku: 'SOCKS-3PK', name: 'Socks, three pack', gtin: '4006381333962', unitCost: 150, price: 999, currency: 'EUR', packSize: 24, leadTimeDays: 5 },
  {
    sku: 'CAP-RED',
    name: 'Baseball cap red',
    gtin: '4006381333979',
    unitCost: 300,
    price: 1499,
    currency: 'EUR',
    packSize: 12,
    leadTimeDays: 10,
    reorder: { min: 5, max: 20 },
  },
  {
    sku: 'SNEAKER-LTD',
    name: 'Runner sneaker, members edition',
    gtin: '4006381333993',
    unitCost: 5000,
    price: 17999,
    currency: 'EUR',
    packSize: 1,
    leadTimeDays: 30,
    memberExclusive: { minTier: 'SILVER', perMemberLimit: 1 },
  },
  // Tagged at the source: the dock gate's reads and the delivery note are reconciled, so each jacket counts once.
  {
    sku: 'JACKET-M',
    name: 'Rain jacket M',
    gtin: '4006381334006',
    unitCost: 4000,
    price: 12999,
    currency: 'EUR',
    packSize: 5,
    leadTimeDays: 14,
    rfidTagged: true,
  },
  // A limited drop declared hot: Berlin's level is spread over 4 items, so a flash sale is not capped by one (docs/hot-skus.md).
  {
    sku: 'TEE-DROP',
    name: 'Artist tee, limited drop',
    gtin: '4006381334013',
    unitCost: 900,
    price: 3999,
    currency: 'EUR',
    packSize: 10,
    leadTimeDays: 21,
    hotShards: 4,
  },
] as const;

/** Members sign themselves up with the id their identity provider gave them, so the demo ids are fixed. */
export const demoMembers = [
  {
    memberId: 'm-anna',
    body: {
      name: 'Anna Schmidt',
      email: 'anna@example.com',
      phone: '+49 170 1234567',
      birthday: '1990-02-28',
      timeZone: 'Europe/Berlin',
      consent: { email: true, sms: false },
      consentSource: 'APP',
    },
  },
  {
    memberId: 'm-ben',
    body: { name: 'Ben Meyer', email: 'ben@example.com', timeZone: 'Europe/Berlin', consent: { email: true, sms: true }, consentSource: 'POS' },
  },
] as const;

const demoMovements = [
  {
    movementId: 'demo-receipt-1',
    type: 'RECEIPT',
    locationId: 'WH-CENTRAL',
    lines: [
      { sku: 'TEE-BLK-M', qty: 200 },
      { sku: 'JEANS-32', qty: 60 },
      { sku: 'SNEAKER-42', qty: 40 },
      { sku: 'SOCKS-3PK', qty: 480 },
      { sku: 'CAP-RED', qty: 48 },
    ],
  },
  {
    movementId: 'demo-transfer-berlin',
    type: 'TRANSFER',
    locationId: 'WH-CENTRAL',
    toLocationId: 'STORE-BERLIN',
    lines: [
      { sku: 'TEE-BLK-M', qty: 30 },
      { sku: 'JEANS-32', qty: 12 },
      { sku: 'SNEAKER-42', qty: 6 },
      { sku: 'SOCKS-3PK', qty: 48 },
      { sku: 'CAP-RED', qty: 6 },
    ],
  },
  {
    movementId: 'demo-transfer-munich',
    type: 'TRANSFER',
    locationId: 'WH-CENTRAL',
    toLocationId: 'STORE-MUNICH',
    lines: [
      { sku: 'TEE-BLK-M', qty: 20 },
      { sku: 'JEANS-32', qty: 8 },
      { sku: 'SNEAKER-42', qty: 4 },
      { sku: 'CAP-RED', qty: 12 },
    ],
  },
  // Leaves the sneakers in Berlin at their reorder point, so the reorder views have something to show.
  {
    movementId: 'demo-sale-berlin-1',
    type: 'SALE',
    locationId: 'STORE-BERLIN',
    lines: [
      { sku: 'SNEAKER-42', qty: 2 },
      { sku: 'TEE-BLK-M', qty: 3 },
    ],
  },
  { movementId: 'demo-receipt-ltd', type: 'RECEIPT', locationId: 'STORE-BERLIN', lines: [{ sku: 'SNEAKER-LTD', qty: 30 }] },
  // Stock in the field: units that are on the shelf but not for sale.
  {
    movementId: 'demo-damaged-berlin',
    type: 'STATE_CHANGE',
    locationId: 'STORE-BERLIN',
    lines: [{ sku: 'TEE-BLK-M', qty: 2, from: 'AVAILABLE', to: 'DAMAGED' }],
  },
  { movementId: 'demo-receipt-qc', type: 'RECEIPT', locationId: 'WH-CENTRAL', lines: [{ sku: 'JEANS-32', qty: 6, to: 'QUALITY_CONTROL' }] },
  // Socks on the road to Munich: shipped, half of them received so far.
  {
    movementId: 'demo-ship-socks',
    type: 'TRANSFER',
    ship: true,
    locationId: 'WH-CENTRAL',
    toLocationId: 'STORE-MUNICH',
    lines: [{ sku: 'SOCKS-3PK', qty: 48 }],
  },
  // Munich counts its caps (one is missing); a till that was offline posts an earlier sale of one later (offlineSales).
  { movementId: 'demo-count-munich-caps', type: 'COUNT', locationId: 'STORE-MUNICH', lines: [{ sku: 'CAP-RED', qty: 11 }] },
  // The jackets' delivery note; the dock gate's reads of them follow (seedDemoData).
  { movementId: 'demo-receipt-jackets', type: 'RECEIPT', locationId: 'WH-CENTRAL', lines: [{ sku: 'JACKET-M', qty: 10 }] },
  // The drop arrives in Berlin, and its first sale spreads the level over the tee's 4 shards.
  { movementId: 'demo-receipt-drop', type: 'RECEIPT', locationId: 'STORE-BERLIN', lines: [{ sku: 'TEE-DROP', qty: 200 }] },
  { movementId: 'demo-sale-drop-1', type: 'SALE', locationId: 'STORE-BERLIN', lines: [{ sku: 'TEE-DROP', qty: 2 }] },
] as const;

/** One threshold promotion and one coupon, so the receipts of the README walk-through show them. */
export const demoPromotions = [
  {
    ruleId: 'demo-spend-150',
    name: 'Spend 150, get 15 off',
    kind: 'SPEND_THRESHOLD_OFF',
    minSpend: 15_000,
    amountOff: 1_500,
    conditions: { locationIds: ['STORE-BERLIN', 'STORE-MUNICH'] },
  },
  {
    ruleId: 'demo-welcome-10',
    name: 'Welcome: 10 % off, once',
    kind: 'COUPON',
    percentOff: 10,
    sharedCode: 'WELCOME10',
    conditions: { membersOnly: true, perMemberLimit: 1, locationIds: ['STORE-BERLIN', 'STORE-MUNICH'] },
    budget: { uses: 1000 },
  },
] as const;

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3_600_000).toISOString();

/**
 * Sales a till made offline, dated before the demo is seeded: one from
 * before Munich's cap count (absorbed by it) and one past the shelf (a count
 * becomes due). On an older --data directory they are already booked with
 * other times, and answer 422: left as they are.
 */
const offlineSales = () => [
  { saleId: 'demo-offline-munich-1', locationId: 'STORE-MUNICH', occurredAt: hoursAgo(3), lines: [{ sku: 'CAP-RED', qty: 1, unitPrice: 1499 }] },
  { saleId: 'demo-offline-munich-2', locationId: 'STORE-MUNICH', occurredAt: hoursAgo(1), lines: [{ sku: 'JEANS-32', qty: 9, unitPrice: 7999 }] },
];

/** The dock gate at the warehouse reads the ten jackets of the delivery note: it confirms the receipt instead of booking them again. */
const readJacketsAtDock = async (mqttUrl: string): Promise<void> => {
  const gtin = demoProducts.find((p) => p.sku === 'JACKET-M')!.gtin;
  const dock = await connectGate(mqttUrl, 'WH-CENTRAL', 'DOCK-1');
  try {
    const at = new Date().toISOString();
    await publishMessages(dock, 'WH-CENTRAL', 'DOCK-1', [
      { readAt: at, direction: 'IN', reads: tagEpcs([`0${gtin}`], 10, 1).map((epc) => ({ epc, antenna: 1, rssi: -48, at })) },
    ]);
    await dock.waitFor('ACK', 1);
  } finally {
    await dock.close();
  }
};

export const seedDemoData = async (baseUrl: string, mqttUrl?: string): Promise<void> => {
  const admin = await signLocalToken({ role: 'admin', subject: 'demo-seed' });
  const send = async (
    method: string,
    path: string,
    body: unknown,
    options: { token?: string; headers?: Record<string, string>; alreadyDone?: number } = {},
  ) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${options.token ?? admin}`, 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(body),
    });
    if (!response.ok && response.status !== options.alreadyDone) throw new Error(`Seeding ${path} failed: ${response.status} ${await response.text()}`);
  };
  /** The item at path, or undefined if there is none. */
  const read = async <T>(path: string): Promise<T | undefined> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${admin}` } });
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`Seeding: reading ${path} failed: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  for (const location of demoLocations) {
    if (!(await read(`/locations/${location.locationId}`))) await send('POST', '/locations', location);
  }
  for (const product of demoProducts) {
    if (!(await read(`/products/${product.sku}`))) await send('POST', '/products', product);
  }
  for (const movement of demoMovements) await send('POST', '/movements', movement);
  await send('POST', '/transfers/demo-ship-socks/receipts', { receiptId: 'demo-socks-first-half', lines: [{ sku: 'SOCKS-3PK', qty: 24 }] });
  for (const sale of offlineSales()) await send('POST', '/sales', sale, { alreadyDone: 422 });
  if (mqttUrl) await readJacketsAtDock(mqttUrl);
  const allocations = await read<{ items: { locationId?: string }[] }>('/products/SNEAKER-LTD/allocations');
  if (!allocations?.items.some((a) => a.locationId === undefined)) await send('PUT', '/products/SNEAKER-LTD/allocations/*', { quantity: 20 });
  for (const { memberId, body } of demoMembers) {
    const self = await signLocalToken({ role: 'member', subject: memberId, memberId });
    // Registration keys are kept a day; on an older --data directory the member answers 409 and is left as it is.
    await send('POST', '/members', body, { token: self, headers: { 'idempotency-key': `demo-${memberId}` }, alreadyDone: 409 });
  }
  await send('POST', '/members/m-ben/paid-tier', { paymentId: 'demo-ben-gold', tier: 'GOLD', months: 12, fee: 10_800 });
  await send('POST', '/sales', {
    saleId: 'demo-sale-anna-1',
    locationId: 'STORE-BERLIN',
    memberId: 'm-anna',
    lines: [
      { sku: 'TEE-BLK-M', qty: 2, unitPrice: 1999 },
      { sku: 'SOCKS-3PK', qty: 1, unitPrice: 999 },
    ],
  });
  // Ben's basket shares the T-shirt with Anna's: each is the other's "bought together" in the recommendations.
  await send('POST', '/sales', {
    saleId: 'demo-sale-ben-1',
    locationId: 'STORE-BERLIN',
    memberId: 'm-ben',
    lines: [
      { sku: 'TEE-BLK-M', qty: 1, unitPrice: 1999 },
      { sku: 'JEANS-32', qty: 1, unitPrice: 7999 },
    ],
  });
  // A member-only event with one seat: Anna has it, Ben waits (first on the waitlist); Anna rates her T-shirt.
  await send('POST', '/events', {
    eventId: 'demo-event-styling',
    locationId: 'STORE-BERLIN',
    title: 'Spring styling evening',
    startsAt: '2027-03-20T17:00:00Z',
    endsAt: '2027-03-20T19:00:00Z',
    capacity: 1,
  });
  await send('POST', '/events/demo-event-styling/registrations', { registrationId: 'demo-event-anna', memberId: 'm-anna' });
  await send('POST', '/events/demo-event-styling/registrations', { registrationId: 'demo-event-ben', memberId: 'm-ben' });
  // Promotions (docs/members.md, "Promotions"), after the demo sales so those stay as they were: spend 150.00 at a
  // demo store (after the tier discount), get 15.00 off; and a members' coupon, 10 % once per member.
  for (const promotion of demoPromotions) await send('POST', '/promotions', promotion);
  await send('POST', '/feedback', {
    feedbackId: 'demo-feedback-anna-tee',
    memberId: 'm-anna',
    saleId: 'demo-sale-anna-1',
    sku: 'TEE-BLK-M',
    rating: 5,
    comment: 'Fits well',
  });
};
