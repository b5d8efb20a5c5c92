import { describe, expect, it } from 'vitest';
import { applyTopicRule, topicMatches } from '../../../infra/local/mqtt.ts';
import { topicRules, topicRuleSql } from '../../../infra/topics.ts';

describe('local topic rules', () => {
  it.each([
    ['stockclub/+/gates/+/reads', 'stockclub/WH-1/gates/DOCK-1/reads', true],
    ['stockclub/+/gates/+/reads', 'stockclub/WH-1/gates/DOCK-1/events', false],
    ['stockclub/+/gates/+/reads', 'stockclub/WH-1/gates/DOCK-1/reads/extra', false],
    ['stockclub/+/gates/+/reads', 'stockclub/WH-1/gates/reads', false],
    ['stockclub/#', 'stockclub/WH-1/gates/DOCK-1/reads', true],
    ['stockclub/#', 'stockclub', true],
    ['stockclub/+', 'stockclub/a/b', false],
  ])('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  it('hands the rule the payload plus the topic segments it names, which win over the payload', () => {
    const event = applyTopicRule(topicRules.gateReads, 'stockclub/WH-1/gates/DOCK-1/reads', Buffer.from('{"direction":"IN","locationId":"SPOOFED"}'));
    expect(event).toEqual({ direction: 'IN', locationId: 'WH-1', gateId: 'DOCK-1' });
  });

  it('passes on only the payload fields the rule selects, like its IoT SQL, so nothing in the payload stands in for the topic', () => {
    // Regression: `SELECT *, topic(2) AS locationId` let a payload's own locationId through in AWS.
    expect(topicRuleSql(topicRules.gateReads)).toBe(
      "SELECT readAt, direction, reads, topic(2) AS locationId, topic(4) AS gateId FROM 'stockclub/+/gates/+/reads'",
    );
    const payload = { readAt: '2026-11-25T10:00:00Z', direction: 'OUT', reads: [{ epc: 'AB' }], locationId: 'OTHER', gateId: 'X', extra: 1 };
    expect(applyTopicRule(topicRules.gateReads, 'stockclub/ST-1/gates/DOOR-1/reads', Buffer.from(JSON.stringify(payload)))).toEqual({
      readAt: '2026-11-25T10:00:00Z',
      direction: 'OUT',
      reads: [{ epc: 'AB' }],
      locationId: 'ST-1',
      gateId: 'DOOR-1',
    });
  });

  it('refuses payloads that are not a JSON object', () => {
    expect(() => applyTopicRule(topicRules.gateReads, 'stockclub/WH-1/gates/DOCK-1/reads', Buffer.from('not json'))).toThrow(/JSON/);
    expect(() => applyTopicRule(topicRules.gateReads, 'stockclub/WH-1/gates/DOCK-1/reads', Buffer.from('[1,2]'))).toThrow(/not a JSON object/);
  });
});
