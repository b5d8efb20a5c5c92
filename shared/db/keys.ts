/**
 * Key patterns of every item StockClub stores. Nothing outside this file
 * builds a key string.
 */
import { dayOf } from '../domain/time.ts';

/** Shard 0 is the partition as it always was. */
const ledgerShard = (partition: string, shard: number): string => (shard > 0 ? `${partition}#SHARD#${shard}` : partition);

export const inventoryKeys = {
  location: (locationId: string) => ({ pk: `LOCATION#${locationId}`, sk: 'LOCATION' }),
  product: (sku: string) => ({ pk: `PRODUCT#${sku}`, sk: 'PRODUCT' }),
  /** Reserves a GTIN for one SKU, so a barcode or RFID tag resolves to exactly one product. Keyed by the GTIN-14 (catalog.ts pads shorter ones). */
  gtin: (gtin14: string) => ({ pk: `GTIN#${gtin14}`, sk: 'GTIN' }),
  /** Levels of a SKU share a partition: HQ reads every location in one query. */
  level: (sku: string, locationId: string) => ({ pk: `STOCK#${sku}`, sk: `LOCATION#${locationId}` }),
  levelsOfSku: (sku: string) => `STOCK#${sku}`,
  /** A hot SKU's level shard k >= 1 (docs/hot-skus.md), beside its level in the SKU's partition; never on gsi1. */
  levelShard: (sku: string, locationId: string, shard: number) => ({ pk: `STOCK#${sku}`, sk: `LOCATION#${locationId}#SHARD#${shard}` }),
  /** gsi1: a location's levels in one query. */
  levelByLocation: (sku: string, locationId: string) => ({ gsi1pk: `LOCATION_STOCK#${locationId}`, gsi1sk: sku }),
  levelsOfLocation: (locationId: string) => `LOCATION_STOCK#${locationId}`,
  /**
   * A movement id is booked once per location: a store's ids are its own, so
   * another store can neither replay them nor learn that they exist.
   */
  movement: (locationId: string, movementId: string) => ({ pk: `MOVEMENT#${locationId}#${movementId}`, sk: 'MOVEMENT' }),
  /**
   * Ledger entries, time-ordered three ways: per SKU and location by when
   * they happened (base table: a count dated in the past finds what
   * happened after it), per SKU (gsi1) and per location (gsi2) by when they
   * were booked. A hot SKU's sale booked on level shard k >= 1 writes its
   * entry to shard k of each (every partition key is one write ceiling);
   * readers merge the shards (docs/hot-skus.md).
   */
  ledgerEntry: (sku: string, locationId: string, occurredAt: string, at: string, movementId: string, shard = 0) => ({
    pk: ledgerShard(`LEDGER#${sku}#${locationId}`, shard),
    sk: `${occurredAt}#${movementId}`,
    gsi1pk: ledgerShard(`LEDGER_SKU#${sku}`, shard),
    gsi1sk: `${at}#${locationId}#${movementId}`,
    gsi2pk: ledgerShard(`LEDGER_LOCATION#${locationId}`, shard),
    gsi2sk: `${at}#${sku}#${movementId}`,
  }),
  ledgerOfSkuAtLocation: (sku: string, locationId: string, shard = 0) => ledgerShard(`LEDGER#${sku}#${locationId}`, shard),
  ledgerOfSku: (sku: string, shard = 0) => ledgerShard(`LEDGER_SKU#${sku}`, shard),
  ledgerOfLocation: (locationId: string, shard = 0) => ledgerShard(`LEDGER_LOCATION#${locationId}`, shard),
  /** A hold is its RESERVE movement, so it is scoped to its location like the movement. */
  reservation: (locationId: string, reservationId: string) => ({ pk: `RESERVATION#${locationId}#${reservationId}`, sk: 'RESERVATION' }),
  /** gsi2: active holds ordered by expiry, for the sweep that releases them. */
  activeReservation: (expiresAt: string, locationId: string, reservationId: string) => ({
    gsi2pk: 'RESERVATIONS_ACTIVE',
    gsi2sk: `${expiresAt}#${locationId}#${reservationId}`,
  }),
  activeReservations: 'RESERVATIONS_ACTIVE',
  /** Catalogue listings: every product / location in one partition each, ordered by id. */
  productListing: (sku: string) => ({ gsi1pk: 'PRODUCTS', gsi1sk: sku }),
  productListingKey: 'PRODUCTS',
  locationListing: (locationId: string) => ({ gsi1pk: 'LOCATIONS', gsi1sk: locationId }),
  locationListingKey: 'LOCATIONS',
  /** A location's counts due share a partition: the store reads its list in one query. */
  countDue: (locationId: string, sku: string) => ({ pk: `COUNTS_DUE#${locationId}`, sk: `SKU#${sku}` }),
  countsDueAt: (locationId: string) => `COUNTS_DUE#${locationId}`,
  /**
   * A shipped transfer, in its movement id's partition: movement ids are
   * unique per source location only, so each source has its own item and a
   * read by id queries the partition.
   */
  transfer: (movementId: string, fromLocationId: string) => ({ pk: `TRANSFER#${movementId}`, sk: `FROM#${fromLocationId}` }),
  transfersOf: (movementId: string) => `TRANSFER#${movementId}`,
  /** gsi1 on a transfer while units are still open: a destination's inbound transfers, oldest first (its gate receives against them). */
  openTransferTo: (toLocationId: string, shippedAt: string, fromLocationId: string, movementId: string) => ({
    gsi1pk: `TRANSFERS_TO#${toLocationId}`,
    gsi1sk: `${shippedAt}#${fromLocationId}#${movementId}`,
  }),
  openTransfersTo: (toLocationId: string) => `TRANSFERS_TO#${toLocationId}`,
  /** Document and gate units waiting for each other, per location, direction and SKU; a location's in one partition. */
  reconciliation: (locationId: string, direction: string, sku: string) => ({ pk: `RECONCILE#${locationId}`, sk: `${direction}#${sku}` }),
  reconciliationsAt: (locationId: string) => `RECONCILE#${locationId}`,
} as const;

/** The rfid table: open dedupe windows (they expire) and each serialised item's last known place. */
export const rfidKeys = {
  /** One open window per EPC and gate: reads inside it are one item event. */
  window: (locationId: string, gateId: string, epc: string) => ({ pk: `WINDOW#${locationId}#${gateId}#${epc}`, sk: 'WINDOW' }),
  /** Keyed by GTIN and serial, not by EPC: retagging with another filter value is still the same item. */
  serial: (gtin: string, serial: string) => ({ pk: `SERIAL#${gtin}#${serial}`, sk: 'SERIAL' }),
  /**
   * One stored EPCIS event (a gate message's pass or a sale, its EPCs
   * packed): a location's events of a UTC day share a partition (a busy dock
   * never makes one partition hot for long), ordered by the event's time.
   */
  itemEvent: (locationId: string, day: string, eventTime: string, eventId: string) => ({
    pk: `ITEM_EVENTS#${locationId}#${day}`,
    sk: `${eventTime}#${eventId}`,
  }),
  itemEventsOn: (locationId: string, day: string) => `ITEM_EVENTS#${locationId}#${day}`,
} as const;

export const rfidEntities = {
  window: 'RFID_WINDOW',
  serial: 'SERIAL',
  /** One gate item event per item, as stored before the EPCIS trail was packed: still read. */
  itemEvent: 'ITEM_EVENT',
  /** A stored EPCIS ObjectEvent: a gate message's pass or a sale, with its EPCs (shared/db/epcis.ts). */
  objectEvent: 'OBJECT_EVENT',
} as const;

/** The `entity` attribute names an item's kind; stream filters match on it. */
export const entities = {
  location: 'LOCATION',
  product: 'PRODUCT',
  gtin: 'GTIN',
  level: 'STOCK_LEVEL',
  levelShard: 'STOCK_LEVEL_SHARD',
  movement: 'MOVEMENT',
  ledgerEntry: 'LEDGER_ENTRY',
  countDue: 'COUNT_DUE',
  reconciliation: 'RECONCILIATION',
  reservation: 'RESERVATION',
  transfer: 'TRANSFER',
  sale: 'SALE',
  saleReturn: 'SALE_RETURN',
  allocation: 'ALLOCATION',
  member: 'MEMBER',
  signupAttempt: 'SIGNUP_ATTEMPT',
  contact: 'MEMBER_CONTACT',
  pointsLot: 'POINTS_LOT',
  pointsEntry: 'POINTS_ENTRY',
  exclusiveClaim: 'EXCLUSIVE_CLAIM',
  program: 'PROGRAM',
  demandDay: 'DEMAND_DAY',
  demandMonth: 'DEMAND_MONTH',
  suggestion: 'SUGGESTION',
  transferPromises: 'TRANSFER_PROMISES',
  purchaseOrder: 'PURCHASE_ORDER',
  hqRun: 'HQ_RUN',
  abcReport: 'ABC_REPORT',
  message: 'MESSAGE',
  sendGuard: 'SEND_GUARD',
  stockAlert: 'STOCK_ALERT',
  pushDevice: 'PUSH_DEVICE',
  pushToken: 'PUSH_TOKEN',
  campaign: 'CAMPAIGN',
  buyer: 'BUYER',
  countedSale: 'COUNTED_SALE',
  memberStores: 'MEMBER_STORES',
  boughtWith: 'BOUGHT_WITH',
  tierFavourites: 'TIER_FAVOURITES',
  campaignPage: 'CAMPAIGN_PAGE',
  request: 'REQUEST',
  event: 'EVENT',
  eventSeats: 'EVENT_SEATS',
  eventRegistration: 'EVENT_REGISTRATION',
  eventRequest: 'EVENT_REQUEST',
  feedback: 'FEEDBACK',
  ratingSummary: 'RATING_SUMMARY',
  feedbackRequest: 'FEEDBACK_REQUEST',
  promotion: 'PROMOTION',
  couponCode: 'COUPON_CODE',
  promotionUse: 'PROMOTION_USE',
} as const;

/** Sales and member-exclusive allocations (inventory table): they sit beside the stock they move. */
export const salesKeys = {
  sale: (saleId: string) => ({ pk: `SALE#${saleId}`, sk: 'SALE' }),
  /** A return lives in its sale's partition; its key is the return's idempotency guard. */
  saleReturn: (saleId: string, returnId: string) => ({ pk: `SALE#${saleId}`, sk: `RETURN#${returnId}` }),
  /** gsi1: a member's purchases, newest last. */
  memberPurchase: (memberId: string, at: string, saleId: string) => ({ gsi1pk: `MEMBER_SALES#${memberId}`, gsi1sk: `${at}#${saleId}` }),
  memberPurchasesOf: (memberId: string) => `MEMBER_SALES#${memberId}`,
  /** `*` is the allocation that serves every location. */
  allocation: (sku: string, scope: string) => ({ pk: `ALLOCATION#${sku}`, sk: `SCOPE#${scope}` }),
  allocationsOfSku: (sku: string) => `ALLOCATION#${sku}`,
} as const;

/**
 * Member-only events (inventory table, beside the stores that hold them): an
 * event's partition holds the event, its seat counter and its registrations.
 */
export const eventKeys = {
  event: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' }),
  /** gsi1: every event by start; gsi2: the events starting on a UTC day (the reminder job). */
  eventListing: (startsAt: string, eventId: string) => ({
    gsi1pk: 'EVENTS',
    gsi1sk: `${startsAt}#${eventId}`,
    gsi2pk: `EVENTS_ON#${startsAt.slice(0, 10)}`,
    gsi2sk: eventId,
  }),
  eventListingKey: 'EVENTS',
  eventsOn: (day: string) => `EVENTS_ON#${day}`,
  /** The counter every registration and cancellation conditions on: seats taken, members waiting, the next waitlist number. */
  seats: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'SEATS' }),
  /** One registration per member and event. */
  registration: (eventId: string, memberId: string) => ({ pk: `EVENT#${eventId}`, sk: `REG#${memberId}` }),
  registrationsOf: (eventId: string) => `EVENT#${eventId}`,
  registrationsFrom: 'REG#',
  /** gsi1: a member's registrations. */
  memberRegistration: (memberId: string, eventId: string) => ({ gsi1pk: `MEMBER_EVENTS#${memberId}`, gsi1sk: eventId }),
  /** gsi2 while waitlisted: the waitlist in arrival order (zero-padded number). */
  waitlisted: (eventId: string, seq: number) => ({ gsi2pk: `WAITLIST#${eventId}`, gsi2sk: String(seq).padStart(10, '0') }),
  waitlistOf: (eventId: string) => `WAITLIST#${eventId}`,
  /** The guard of one registration request id: its fingerprint and first answer. */
  registrationRequest: (registrationId: string) => ({ pk: `EVENT_REQUEST#${registrationId}`, sk: 'REQUEST' }),
} as const;

/**
 * Promotion rules and coupon codes (inventory table, beside the sales they
 * price). A rule's item carries its budget counters (`used`, `spent`); a
 * member's uses of a rule sit in the member's partition (memberKeys.promotionUse).
 */
export const promotionKeys = {
  rule: (ruleId: string) => ({ pk: `PROMO#${ruleId}`, sk: 'RULE' }),
  /** gsi2: every rule, by id (the admin list); gsi1 only while ACTIVE: the checkout reads the active rules in one query. */
  listing: (ruleId: string) => ({ gsi2pk: 'PROMOTIONS', gsi2sk: ruleId }),
  active: (ruleId: string) => ({ gsi1pk: 'PROMOTIONS_ACTIVE', gsi1sk: ruleId }),
  listingKey: 'PROMOTIONS',
  activeKey: 'PROMOTIONS_ACTIVE',
  /** One item per code (upper case): the rule it redeems, its member if bound to one, the sale that used it. */
  code: (code: string) => ({ pk: `PROMO_CODE#${code}`, sk: 'CODE' }),
} as const;

/** Product feedback (inventory table, beside the sales it is verified by). */
export const feedbackKeys = {
  /** One rating per purchase: per sale and SKU. */
  feedback: (saleId: string, sku: string) => ({ pk: `FEEDBACK#${saleId}`, sk: `SKU#${sku}` }),
  /** gsi1: a product's ratings by time; gsi2: a store's. */
  feedbackIndexes: (sku: string, locationId: string, at: string, saleId: string) => ({
    gsi1pk: `RATINGS_OF#${sku}`,
    gsi1sk: `${at}#${saleId}`,
    gsi2pk: `RATINGS_AT#${locationId}`,
    gsi2sk: `${at}#${saleId}#${sku}`,
  }),
  ratingsOf: (sku: string) => `RATINGS_OF#${sku}`,
  ratingsAt: (locationId: string) => `RATINGS_AT#${locationId}`,
  /** Running totals: a product across the chain, a store across products, a product at a store (gsi1: a product's stores). */
  productSummary: (sku: string) => ({ pk: `RATING_SUMMARY#${sku}`, sk: 'ALL' }),
  storeSummary: (locationId: string) => ({ pk: `STORE_RATING_SUMMARY#${locationId}`, sk: 'ALL' }),
  productAtStore: (sku: string, locationId: string) => ({ pk: `STORE_RATING_SUMMARY#${locationId}`, sk: `SKU#${sku}` }),
  productAtStoreIndex: (sku: string, locationId: string) => ({ gsi1pk: `RATING_STORES#${sku}`, gsi1sk: locationId }),
  storesOf: (sku: string) => `RATING_STORES#${sku}`,
  /** The guard of one feedback request id. */
  feedbackRequest: (feedbackId: string) => ({ pk: `FEEDBACK_REQUEST#${feedbackId}`, sk: 'REQUEST' }),
} as const;

/** Replenishment (inventory table): demand history, suggestions, purchase orders, the ABC report. */
export const replenishmentKeys = {
  /** Units sold per SKU, location and UTC day; the movements counted are kept on the item so a redelivered record counts once. */
  demandDay: (sku: string, locationId: string, day: string) => ({ pk: `DEMAND#${sku}#${locationId}`, sk: `DAY#${day}` }),
  demandOf: (sku: string, locationId: string) => `DEMAND#${sku}#${locationId}`,
  /** The sort key of a demand day, for reading a window of days. */
  demandDaySk: (day: string) => `DAY#${day}`,
  /** Units sold per SKU and month across the chain, for ABC. */
  demandMonth: (sku: string, month: string) => ({ pk: `DEMAND_SKU#${sku}`, sk: `MONTH#${month}` }),
  demandMonthsOf: (sku: string) => `DEMAND_SKU#${sku}`,
  /** The sort key of a demand month, for reading the months since one. */
  demandMonthSk: (month: string) => `MONTH#${month}`,
  /** One suggestion item per SKU and location: there can never be two open ones. */
  suggestion: (sku: string, locationId: string) => ({ pk: `SUGGESTION#${sku}#${locationId}`, sk: 'SUGGESTION' }),
  /** gsi1: a location's suggestions by status; gsi2: every location's by status (HQ). */
  suggestionIndexes: (sku: string, locationId: string, status: string) => ({
    gsi1pk: `SUGGESTIONS#${locationId}`,
    gsi1sk: `${status}#${sku}`,
    gsi2pk: `SUGGESTIONS#${status}`,
    gsi2sk: `${locationId}#${sku}`,
  }),
  suggestionsAt: (locationId: string) => `SUGGESTIONS#${locationId}`,
  suggestionsWithStatus: (status: string) => `SUGGESTIONS#${status}`,
  /** Per SKU and donor location: the units its open transfer suggestions promise each recipient, so a surplus is promised once. */
  transferPromises: (sku: string, donorLocationId: string) => ({ pk: `PROMISES#${sku}#${donorLocationId}`, sk: 'PROMISES' }),
  purchaseOrder: (purchaseOrderId: string) => ({ pk: `PO#${purchaseOrderId}`, sk: 'PO' }),
  /** One HQ ordering run: its request's fingerprint and the answer it gave, so a replay answers the same. */
  hqRun: (runId: string) => ({ pk: `HQ_RUN#${runId}`, sk: 'HQ_RUN' }),
  abcReport: { pk: 'ABC_REPORT', sk: 'LATEST' },
} as const;

/**
 * Members table. A member's partition sorts lots (`LOT#`) before the profile
 * (`PROFILE`), so one consistent query between the two reads both; the
 * points ledger (`TXN#`) and exclusive claims (`XCL#`) sort after it.
 */
export const memberKeys = {
  profile: (memberId: string) => ({ pk: `MEMBER#${memberId}`, sk: 'PROFILE' }),
  /** gsi1 on the profile: members by birthday (`MM-DD`), so the birthday job reads one day's partition. */
  birthday: (birthday: string, memberId: string) => ({ gsi1pk: `BIRTHDAY#${birthday.slice(5)}`, gsi1sk: memberId }),
  birthdaysOn: (mmdd: string) => `BIRTHDAY#${mmdd}`,
  /** A member's messages by time, and the guard that makes each send key happen once. */
  message: (memberId: string, at: string, key: string) => ({ pk: `MEMBER#${memberId}`, sk: `MSG#${at}#${key}` }),
  messagesFrom: (at: string) => `MSG#${at}`,
  messagesPrefix: 'MSG#',
  sendGuard: (memberId: string, key: string) => ({ pk: `MEMBER#${memberId}`, sk: `SENDKEY#${key}` }),
  /** gsi1 on deferred messages: by the day they are due. */
  deferred: (until: string, memberId: string, key: string) => ({ gsi1pk: `DEFERRED#${dayOf(until)}`, gsi1sk: `${until}#${memberId}#${key}` }),
  deferredOn: (day: string) => `DEFERRED#${day}`,
  /** A member's back-in-stock subscription; gsi1 gathers a SKU's subscribers at a location. */
  stockAlert: (memberId: string, sku: string, locationId: string) => ({ pk: `MEMBER#${memberId}`, sk: `BIS#${sku}#${locationId}` }),
  stockAlertIndex: (sku: string, locationId: string, memberId: string) => ({ gsi1pk: `BIS#${sku}#${locationId}`, gsi1sk: memberId }),
  stockAlertsFor: (sku: string, locationId: string) => `BIS#${sku}#${locationId}`,
  /** gsi1 on a subscription scheduled in a later back-in-stock wave: by the day it is due, then due time and who asked first. */
  stockAlertWave: (alert: { dueAt: string; subscribedAt: string; memberId: string; sku: string; locationId: string }) => ({
    gsi1pk: `BIS_WAVE#${dayOf(alert.dueAt)}`,
    gsi1sk: `${alert.dueAt}#${alert.subscribedAt}#${alert.memberId}#${alert.sku}#${alert.locationId}`,
  }),
  stockAlertWavesOn: (day: string) => `BIS_WAVE#${day}`,
  partition: (memberId: string) => `MEMBER#${memberId}`,
  lot: (memberId: string, lotId: string) => ({ pk: `MEMBER#${memberId}`, sk: `LOT#${lotId}` }),
  lotsFrom: 'LOT#',
  profileSk: 'PROFILE',
  /** gsi1: lots by the day they expire, so the expiry job reads one day's partition, never the table. */
  lotExpiry: (expiresOn: string, memberId: string, lotId: string) => ({
    gsi1pk: `LOT_EXPIRY#${dayOf(expiresOn)}`,
    gsi1sk: `${expiresOn}#${memberId}#${lotId}`,
  }),
  lotsExpiringOn: (day: string) => `LOT_EXPIRY#${day}`,
  entry: (memberId: string, at: string, entryId: string) => ({ pk: `MEMBER#${memberId}`, sk: `TXN#${at}#${entryId}` }),
  entriesFrom: 'TXN#',
  exclusiveClaim: (memberId: string, sku: string) => ({ pk: `MEMBER#${memberId}`, sk: `XCL#${sku}` }),
  /** How many sales of the member a promotion rule gave something (its per-member limit is the condition on it). */
  promotionUse: (memberId: string, ruleId: string) => ({ pk: `MEMBER#${memberId}`, sk: `PROMO#${ruleId}` }),
  /** Someone signed up with this member's address or number that day: the one notice of the day tells them. */
  signupAttempt: (memberId: string, day: string) => ({ pk: `MEMBER#${memberId}`, sk: `SIGNUP_ATTEMPT#${day}` }),
  /** A member's app install that takes push (device token, platform, SNS endpoint). */
  device: (memberId: string, deviceId: string) => ({ pk: `MEMBER#${memberId}`, sk: `DEVICE#${deviceId}` }),
  devicesPrefix: 'DEVICE#',
  /** One member per device token (the device id is a hash of platform and token): who holds it now. */
  pushToken: (deviceId: string) => ({ pk: `PUSHTOKEN#${deviceId}`, sk: 'CONTACT' }),
  /** One member per address or number: these items are the uniqueness guard. */
  email: (email: string) => ({ pk: `EMAIL#${email}`, sk: 'CONTACT' }),
  phone: (phone: string) => ({ pk: `PHONE#${phone}`, sk: 'CONTACT' }),
  program: { pk: 'PROGRAM', sk: 'PROGRAM' },
  /** When the scheduled tier review next looks at a member; gsi1 by day, so the job reads one partition a day. */
  review: (memberId: string) => ({ pk: `MEMBER#${memberId}`, sk: 'REVIEW' }),
  reviewIndex: (at: string, memberId: string) => ({ gsi1pk: `TIER_REVIEW#${dayOf(at)}`, gsi1sk: `${at}#${memberId}` }),
  reviewsOn: (day: string) => `TIER_REVIEW#${day}`,
  /**
   * Who bought a SKU (product affinity): one item per SKU and member with
   * units and the last purchase, so a campaign for a SKU reads its buyers'
   * partition instead of scanning the membership.
   */
  buyer: (sku: string, memberId: string) => ({ pk: `BUYERS#${sku}`, sk: `MEMBER#${memberId}` }),
  buyersOf: (sku: string) => `BUYERS#${sku}`,
  campaign: (campaignId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: 'CAMPAIGN' }),
  /** gsi1 on a scheduled campaign until it starts: the scheduler reads the one partition. */
  campaignDue: (sendAt: string, campaignId: string) => ({ gsi1pk: 'CAMPAIGNS_DUE', gsi1sk: `${sendAt}#${campaignId}` }),
  campaignsDue: 'CAMPAIGNS_DUE',
  /** A queued page of a campaign that is done: a redelivered message finds it and adds nothing. */
  campaignPage: (campaignId: string, pageId: string) => ({ pk: `CAMPAIGN#${campaignId}`, sk: `PAGE#${pageId}` }),
  /** Marketing sends counted per UTC day, against the chain's daily spend cap. */
  sendBudget: (day: string) => ({ pk: 'SEND_BUDGET', sk: day }),
  /** The guard that makes a member-scoped write (`operation`: redeem, adjust, …) happen once per key. */
  request: (memberId: string, operation: string, key: string) => ({ pk: `MEMBER#${memberId}`, sk: `REQ#${operation}#${key}` }),
} as const;

/** The idempotency table: guards of writes that have no item of their own to carry one yet. */
export const idempotencyKeys = {
  /** A registration, per caller and idempotency key: the member id does not exist before it. */
  registration: (subject: string, idempotencyKey: string) => ({ pk: `register#${subject}#${idempotencyKey}` }),
} as const;

/** Spreads a tier's month over this many items, so each stays small (writes cost by item size) and no one item takes every sale. */
export const tierFavouriteShards = 8;

/** A stable shard for a SKU (FNV-1a): the consumer and the GET must agree. */
const favouriteShardOf = (sku: string): number => {
  let hash = 0x811c9dc5;
  for (const char of sku) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return (hash >>> 0) % tierFavouriteShards;
};

/**
 * Purchase history behind recommendations (see docs/recommendations.md).
 * Guards and usual stores sit in the member's partition (members table),
 * outside the `LOT#`..`PROFILE` range the member read covers; bought-together
 * counts and tier favourites sit in the inventory table beside the catalogue.
 */
export const recommendationKeys = {
  /** One guard per counted chunk of a sale: a redelivered record finds it and counts nothing twice. */
  countedSale: (memberId: string, saleId: string, chunk: number) => ({ pk: `MEMBER#${memberId}`, sk: `COUNTED#${saleId}#${chunk}` }),
  /** A member's sales per location: where they usually shop. */
  memberStores: (memberId: string) => ({ pk: `MEMBER#${memberId}`, sk: 'STORES' }),
  /** Sales that had a SKU and each other SKU, per month. */
  boughtWith: (sku: string, month: string) => ({ pk: `BOUGHT_WITH#${sku}`, sk: `MONTH#${month}` }),
  /** Units a tier bought per SKU and month; the SKU picks the shard. */
  tierFavourites: (tier: string, month: string, sku: string) => ({ pk: `TIER_FAVOURITES#${tier}#${month}`, sk: `SHARD#${favouriteShardOf(sku)}` }),
  /** Every shard of a tier's month, for the read. */
  tierFavouritesOf: (tier: string, month: string) =>
    Array.from({ length: tierFavouriteShards }, (_, shard) => ({ pk: `TIER_FAVOURITES#${tier}#${month}`, sk: `SHARD#${shard}` })),
} as const;

const keyAttributes = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'entity', 'expiresAt'];

/** An item as the API shows it: without key and bookkeeping attributes. */
export const withoutKeys = <T>(item: Record<string, unknown>, extraHidden: string[] = []): T => {
  const hidden = new Set([...keyAttributes, ...extraHidden]);
  return Object.fromEntries(Object.entries(item).filter(([k]) => !hidden.has(k))) as T;
};
