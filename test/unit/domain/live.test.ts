import { describe, expect, it } from 'vitest';
import {
  acceptLiveLevel,
  allLiveLevelsFilter,
  bearerOfAuthorizerEvent,
  isLevelChange,
  liveAuthorizerResponse,
  liveLevelsTopic,
  livePolicyFor,
  locationOfLiveTopic,
  mayWatchLive,
  mayWatchTopic,
  liveGatesTopic,
  allLiveGatesFilter,
  type SeenVersions,
} from '../../../shared/domain/live.ts';

const admin = { subject: 'hq-1', role: 'admin' as const, locations: [] };
const store = { subject: 'store-user@S1', role: 'store' as const, locations: ['S1', 'S2'] };
const member = { subject: 'M1', role: 'member' as const, locations: [] };
const arnPrefix = 'arn:aws:iot:eu-west-1:123456789012';

describe('live topics', () => {
  it('names one topic per location under stockclub/live/levels', () => {
    expect(liveLevelsTopic('S1')).toBe('stockclub/live/levels/S1');
    expect(locationOfLiveTopic('stockclub/live/levels/S1')).toBe('S1');
    expect(locationOfLiveTopic('stockclub/S1/gates/G1/events')).toBeUndefined();
  });

  it('lets admin and store users watch; members, services and gateways not', () => {
    expect(['admin', 'store', 'member', 'service', 'gateway'].map((role) => mayWatchLive({ role: role as never }))).toEqual([true, true, false, false, false]);
  });

  it('lets an admin subscribe to anything under stockclub/live/ and nothing above it', () => {
    for (const filter of [allLiveLevelsFilter, 'stockclub/live/#', 'stockclub/live/levels/S9', 'stockclub/live/levels/#'])
      expect(mayWatchTopic(admin, filter)).toBe(true);
    for (const filter of [
      '#',
      'stockclub/#',
      '+/live/levels/S1',
      'stockclub/+/levels/S1',
      'stockclub/S1/gates/G1/events',
      'stockclub/live/#/x',
      'stockclub/live/le+',
      'stockclub/live//S1',
    ])
      expect(mayWatchTopic(admin, filter), filter).toBe(false);
  });

  it('lets a store user subscribe to its own locations only, one at a time', () => {
    expect(mayWatchTopic(store, liveLevelsTopic('S1'))).toBe(true);
    expect(mayWatchTopic(store, liveLevelsTopic('S2'))).toBe(true);
    // Its gates' events, as the ingest tells viewers of them; never the gates' own topics.
    expect(mayWatchTopic(store, liveGatesTopic('S1'))).toBe(true);
    for (const filter of [
      liveLevelsTopic('S3'),
      liveGatesTopic('S3'),
      allLiveLevelsFilter,
      allLiveGatesFilter,
      'stockclub/live/#',
      'stockclub/live/levels/S1/x',
      'stockclub/S1/gates/+/events',
    ])
      expect(mayWatchTopic(store, filter), filter).toBe(false);
  });

  it('lets a member subscribe to nothing', () => {
    expect(mayWatchTopic(member, liveLevelsTopic('S1'))).toBe(false);
    expect(mayWatchTopic({ role: 'gateway', locations: ['S1'] }, liveLevelsTopic('S1'))).toBe(false);
  });
});

describe('the client rule', () => {
  const level = (version: number, locationId = 'S1', sku = 'A') => ({ sku, locationId, version });

  it('shows a version only if it is above the last one seen for that SKU and location', () => {
    const arrivals = [level(3), level(4), level(3), level(4), level(5), level(1, 'S2'), level(2, 'S1', 'B')];
    let seen: SeenVersions = { 'S1#A': 2 };
    const shown: number[] = [];
    for (const message of arrivals) {
      const next = acceptLiveLevel(seen, message);
      if (next) {
        seen = next;
        shown.push(message.version);
      }
    }
    expect(shown).toEqual([3, 4, 5, 1, 2]);
    expect(seen).toEqual({ 'S1#A': 5, 'S2#A': 1, 'S1#B': 2 });
  });

  it('counts a change only when the version moves', () => {
    expect(isLevelChange(undefined, { version: 1 })).toBe(true);
    expect(isLevelChange({ version: 1 }, { version: 2 })).toBe(true);
    expect(isLevelChange({ version: 2 }, { version: 2 })).toBe(false);
    expect(isLevelChange({ version: 2 }, undefined)).toBe(false);
  });
});

describe('the IoT Core custom authorizer', () => {
  const nowSeconds = 1_800_000_000;

  it('gives an admin connect, subscribe and receive on every live topic', () => {
    const policy = livePolicyFor(admin, arnPrefix);
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: 'iot:Connect', Resource: `${arnPrefix}:client/*` },
      { Effect: 'Allow', Action: 'iot:Subscribe', Resource: `${arnPrefix}:topicfilter/stockclub/live/*` },
      { Effect: 'Allow', Action: 'iot:Receive', Resource: `${arnPrefix}:topic/stockclub/live/*` },
    ]);
  });

  it("gives a store user its own locations' topics only", () => {
    const policy = livePolicyFor({ role: 'store', locations: ['S1', 'S*', 'S2'] }, arnPrefix);
    expect(policy.Statement).toEqual([
      { Effect: 'Allow', Action: 'iot:Connect', Resource: `${arnPrefix}:client/*` },
      {
        Effect: 'Allow',
        Action: 'iot:Subscribe',
        Resource: ['levels/S1', 'gates/S1', 'levels/S2', 'gates/S2'].map((topic) => `${arnPrefix}:topicfilter/stockclub/live/${topic}`),
      },
      {
        Effect: 'Allow',
        Action: 'iot:Receive',
        Resource: ['levels/S1', 'gates/S1', 'levels/S2', 'gates/S2'].map((topic) => `${arnPrefix}:topic/stockclub/live/${topic}`),
      },
    ]);
  });

  it('denies a member everything', () => {
    expect(livePolicyFor(member, arnPrefix).Statement).toEqual([{ Effect: 'Deny', Action: 'iot:*', Resource: '*' }]);
    const response = liveAuthorizerResponse(member, { arnPrefix, nowSeconds, expiresAtSeconds: nowSeconds + 3600 });
    expect(JSON.parse(response.policyDocuments[0]!).Statement[0].Effect).toBe('Deny');
  });

  it('refuses a token it could not verify, and an expired one', () => {
    expect(liveAuthorizerResponse(undefined, { arnPrefix, nowSeconds })).toMatchObject({ isAuthenticated: false, policyDocuments: [] });
    expect(liveAuthorizerResponse(admin, { arnPrefix, nowSeconds, expiresAtSeconds: nowSeconds })).toMatchObject({
      isAuthenticated: false,
      policyDocuments: [],
    });
  });

  it('closes the connection when the token expires, within IoT Core bounds, with an alphanumeric principal id', () => {
    const answer = (expiresIn: number) => liveAuthorizerResponse(store, { arnPrefix, nowSeconds, expiresAtSeconds: nowSeconds + expiresIn });
    expect(answer(3600)).toMatchObject({ isAuthenticated: true, principalId: 'storeuserS1', disconnectAfterInSeconds: 3600, refreshAfterInSeconds: 3600 });
    expect(answer(10).disconnectAfterInSeconds).toBe(300);
    expect(answer(10 * 86_400).disconnectAfterInSeconds).toBe(86_400);
  });

  it('takes the token from the MQTT password, else the Authorization header, the token key or the token query parameter', () => {
    expect(bearerOfAuthorizerEvent({ protocolData: { mqtt: { password: btoa('jwt-1') } } })).toBe('jwt-1');
    expect(bearerOfAuthorizerEvent({ protocolData: { http: { headers: { Authorization: 'Bearer jwt-2' } } } })).toBe('jwt-2');
    expect(bearerOfAuthorizerEvent({ token: 'Bearer jwt-3' })).toBe('jwt-3');
    expect(bearerOfAuthorizerEvent({ protocolData: { http: { queryString: '?x-amz-customauthorizer-name=stockclub-live&token=jwt-4' } } })).toBe('jwt-4');
    expect(bearerOfAuthorizerEvent({})).toBeUndefined();
  });
});
